import { fixtureBodies, fixtureFiles } from '@omise-sync/testing';
import { z } from 'zod';
import { Charge } from './charge.schema';
import { DeletedObject } from './common.schema';
import { Dispute } from './dispute.schema';
import { DisputeDocument, OmiseDocument } from './document.schema';
import { OmiseErrorBody } from './error-body.schema';
import { OmiseEvent, OmiseEventSummary } from './event.schema';
import { OmiseList } from './list.schema';
import { Refund } from './refund.schema';
import { Card, Customer } from './customer.schema';
import { Link } from './link.schema';
import { Recipient } from './recipient.schema';
import { Occurrence, Schedule } from './schedule.schema';

// omise-swift keeps one deliberately truncated list to test its own decoder; it is not an
// Omise response. Any other unreadable file fails the test.
const KNOWN_INVALID_JSON = ['omise-swift/charges-get.json'];

type Kind =
  | 'charge'
  | 'refund'
  | 'dispute'
  | 'document'
  | 'event'
  | 'list'
  | 'error'
  | 'deleted'
  | 'customer'
  | 'card'
  | 'recipient'
  | 'schedule'
  | 'occurrence'
  | 'link';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ListEnvelope = OmiseList(z.unknown());

describe('schemas against every recorded Omise object in shared/omise/fixtures', () => {
  const files = fixtureFiles();
  const counts: Record<Kind, number> = {
    charge: 0,
    refund: 0,
    dispute: 0,
    document: 0,
    event: 0,
    list: 0,
    error: 0,
    deleted: 0,
    customer: 0,
    card: 0,
    recipient: 0,
    schedule: 0,
    occurrence: 0,
    link: 0,
  };
  const failures: string[] = [];
  const invalidJson: string[] = [];

  function check(kind: Kind, schema: z.ZodType, value: unknown, where: string): void {
    const result = schema.safeParse(value);
    counts[kind] += 1;
    if (!result.success) failures.push(`${where} (${kind}): ${z.prettifyError(result.error)}`);
  }

  function visit(value: unknown, where: string): void {
    if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, `${where}[${index}]`));
      return;
    }
    if (!isRecord(value)) return;
    if (value['deleted'] === true) return check('deleted', DeletedObject, value, where);
    switch (value['object']) {
      case 'charge':
        check('charge', Charge, value, where);
        // An expanded charge (`expand=true`) embeds its customer.
        return visit(value['customer'], `${where}.customer`);
      case 'refund':
        return check('refund', Refund, value, where);
      case 'dispute':
        return check('dispute', Dispute, value, where);
      case 'document':
        // Id-less documents are barcode/QR images embedded in charge sources, not evidence.
        return check('document', 'id' in value ? DisputeDocument : OmiseDocument, value, where);
      case 'event':
        check('event', 'data' in value ? OmiseEvent : OmiseEventSummary, value, where);
        // The customers, cards, recipients and links recorded at all are in event data.
        return visit(value['data'], `${where}.data`);
      case 'error':
        return check('error', OmiseErrorBody, value, where);
      case 'customer':
        check('customer', Customer, value, where);
        return visit(value['cards'], `${where}.cards`);
      case 'card':
        return check('card', Card, value, where);
      case 'recipient':
        return check('recipient', Recipient, value, where);
      case 'schedule':
        check('schedule', Schedule, value, where);
        return visit(value['occurrences'], `${where}.occurrences`);
      case 'occurrence':
        return check('occurrence', Occurrence, value, where);
      case 'link':
        return check('link', Link, value, where);
      case 'list':
        check('list', ListEnvelope, value, where);
        return visit(value['data'], `${where}.data`);
      case 'search':
        // Search results wrap a list-like `data` array of the searched objects.
        return visit(value['data'], `${where}.data`);
      default:
        return;
    }
  }

  beforeAll(() => {
    for (const file of files) {
      let bodies: unknown[];
      try {
        bodies = fixtureBodies(file);
      } catch {
        invalidJson.push(file);
        continue;
      }
      bodies.forEach((body, index) => visit(body, `${file}#${index}`));
    }
  });

  it('finds the fixture folder with many files', () => {
    expect(files.length).toBeGreaterThan(150);
  });

  it('only the one deliberately broken file is not JSON', () => {
    expect(invalidJson).toEqual(KNOWN_INVALID_JSON);
  });

  it('parses every charge, refund, dispute, document, event, list and error object', () => {
    expect(failures).toEqual([]);
  });

  it('parses the recorded customers, cards, recipients, schedules, occurrences and links', () => {
    const kinds = ['customer', 'card', 'recipient', 'schedule', 'occurrence', 'link'] as const;
    expect(kinds.filter((kind) => counts[kind] === 0)).toEqual([]);
  });

  it('parsed a substantial number of objects of every kind, so the walk cannot pass vacuously', () => {
    expect(counts.charge).toBeGreaterThanOrEqual(80);
    expect(counts.refund).toBeGreaterThanOrEqual(15);
    expect(counts.dispute).toBeGreaterThanOrEqual(30);
    expect(counts.document).toBeGreaterThanOrEqual(8);
    expect(counts.event).toBeGreaterThanOrEqual(30);
    expect(counts.list).toBeGreaterThanOrEqual(50);
    expect(counts.error).toBeGreaterThanOrEqual(10);
    expect(counts.deleted).toBeGreaterThanOrEqual(2);
  });
});
