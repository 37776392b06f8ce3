import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { type EventOrigin, jobCatalog, type OmiseEventJob } from './job-catalog';
import {
  OmiseEventEnvelope,
  stringifyOmiseEventJob,
  toEventDisposition,
  validateOmiseEventEnvelope,
} from './omise-event-envelope';

const receivedAt = new Date('2026-11-23T10:00:01.500Z');

function envelope(overrides: Record<string, unknown>) {
  return OmiseEventEnvelope.parse({
    object: 'event',
    id: 'evnt_test_5x1',
    livemode: false,
    key: 'refund.create',
    created_at: '2026-11-23T10:00:00Z',
    data: { object: 'refund', id: 'rfnd_test_5x1', charge: 'chrg_test_5x1' },
    ...overrides,
  });
}

describe('toEventDisposition', () => {
  it('takes the charge of a refund from an expanded charge object too', () => {
    const event = envelope({
      data: {
        object: 'refund',
        id: 'rfnd_test_5x1',
        charge: { object: 'charge', id: 'chrg_test_9' },
      },
    });
    const disposition = toEventDisposition(event, receivedAt, 'webhook');
    expect(disposition).toMatchObject({
      kind: 'project',
      job: { resourceType: 'refund', resourceId: 'rfnd_test_5x1', chargeId: 'chrg_test_9' },
    });
  });

  it('prefers created_at over created and normalises to UTC', () => {
    const event = envelope({
      created_at: '2026-11-23T17:00:00+07:00',
      created: '2001-01-01T00:00:00Z',
    });
    const disposition = toEventDisposition(event, receivedAt, 'replay');
    expect(disposition).toMatchObject({
      kind: 'project',
      job: {
        eventCreatedAt: '2026-11-23T10:00:00.000Z',
        receivedAt: '2026-11-23T10:00:01.500Z',
        origin: 'replay',
      },
    });
  });

  it('projects a deleted refund stub without a charge, but refuses a live refund without one', () => {
    const deleted = envelope({
      data: { object: 'refund', id: 'rfnd_test_5x1', livemode: false, deleted: true },
    });
    expect(toEventDisposition(deleted, receivedAt, 'webhook')).toMatchObject({ kind: 'project' });
    const orphan = envelope({ data: { object: 'refund', id: 'rfnd_test_5x1' } });
    expect(toEventDisposition(orphan, receivedAt, 'webhook')).toEqual({
      kind: 'invalid',
      message: 'data.charge: a refund event must name its charge',
    });
  });

  it('ignores objects it does not project, whatever the key says', () => {
    const event = envelope({
      key: 'charge.update',
      data: { object: 'customer', id: 'cust_test_1' },
    });
    expect(toEventDisposition(event, receivedAt, 'webhook')).toEqual({
      kind: 'ignore',
      objectType: 'customer',
    });
  });

  it('keeps unknown envelope fields in the job', () => {
    const event = envelope({ team_uid: 'team_1', webhook_deliveries: [] });
    const disposition = toEventDisposition(event, receivedAt, 'webhook');
    expect(disposition.kind === 'project' && disposition.job.event['team_uid']).toBe('team_1');
  });
});

describe('OmiseEventEnvelope', () => {
  it.each([
    { situation: 'an integer-only id', overrides: { id: '12345' } },
    { situation: 'a path in the id', overrides: { id: 'evnt_../../charges' } },
    {
      situation: 'a date that is not ISO 8601',
      overrides: { created_at: '2023-03-02 10:27:09 UTC' },
    },
    { situation: 'livemode as a string', overrides: { livemode: 'false' } },
  ])('rejects $situation', ({ overrides }) => {
    expect(() => envelope(overrides)).toThrow();
  });
});

describe('validateOmiseEventEnvelope', () => {
  const valid = {
    object: 'event',
    id: 'evnt_test_5x1',
    livemode: false,
    location: '/events/evnt_test_5x1',
    webhook_deliveries: [],
    key: 'charge.complete',
    created_at: '2026-11-23T10:00:00Z',
    data: {
      object: 'charge',
      id: 'chrg_test_5x1',
      amount: 100_000,
      card: { object: 'card', id: 'card_test_1' },
      metadata: { order: '42' },
    },
  };
  const withData = (data: unknown) => ({ ...valid, data });

  it.each([
    { situation: 'a valid event with unknown fields', input: valid },
    {
      situation: 'a refund with an expanded charge',
      input: withData({ object: 'refund', id: 'rfnd_1', charge: { id: 'chrg_1', amount: 1 } }),
    },
    {
      situation: 'a deleted stub',
      input: withData({ object: 'refund', id: 'rfnd_1', livemode: false, deleted: true }),
    },
    {
      situation: 'the older API with created and an offset',
      input: { ...valid, created_at: undefined, created: '2017-11-02T17:00:00+07:00' },
    },
    { situation: 'neither created_at nor created', input: { ...valid, created_at: undefined } },
    { situation: 'an array', input: [valid] },
    { situation: 'a string', input: 'event' },
    { situation: 'null', input: null },
    { situation: 'no data', input: { ...valid, data: undefined } },
    { situation: 'data as an array', input: withData([{ object: 'charge', id: 'chrg_1' }]) },
    { situation: 'data as a string', input: withData('chrg_1') },
    { situation: 'data without object or id', input: withData({ amount: 1 }) },
    {
      situation: 'deleted as a string',
      input: withData({ object: 'refund', id: 'r', deleted: 'y' }),
    },
    { situation: 'a numeric charge', input: withData({ object: 'refund', id: 'r', charge: 7 }) },
    {
      situation: 'an expanded charge without id',
      input: withData({ object: 'refund', id: 'r', charge: {} }),
    },
    { situation: 'a malformed id and an empty key', input: { ...valid, id: 'evnt_a/b', key: '' } },
    { situation: 'a missing key', input: { ...valid, key: undefined } },
    { situation: 'livemode as a string', input: { ...valid, livemode: 'false' } },
    { situation: 'another object type', input: { ...valid, object: 'charge' } },
  ])('agrees with OmiseEventEnvelope.safeParse on $situation', ({ input }) => {
    // JSON round trip: absent fields, as in a delivery, rather than fields set to undefined.
    const delivered: unknown = JSON.parse(JSON.stringify(input));
    const expected = OmiseEventEnvelope.safeParse(delivered);
    const actual = validateOmiseEventEnvelope(delivered);
    expect(actual.success).toBe(expected.success);
    expect(actual.error?.issues).toEqual(expected.error?.issues);
    expect(actual.data).toEqual(expected.data);
  });

  it('returns the parsed input itself as the envelope, not a copy', () => {
    const delivered: unknown = JSON.parse(JSON.stringify(valid));
    expect(validateOmiseEventEnvelope(delivered).data).toBe(delivered);
  });
});

// CI clones the repository with shared/ beside it, so the fixtures live next to the repo root.
const fixturesRoot = path.join(__dirname, '..', '..', '..', '..', 'shared', 'omise', 'fixtures');

function listJsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return listJsonFiles(full);
    return name.endsWith('.json') ? [full] : [];
  });
}

/** JSON texts in a fixture file: omise-elixir files are whole HTTP recordings (exvcr). */
function textsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  if (!file.includes(`${path.sep}omise-elixir${path.sep}`)) return [text];
  return (JSON.parse(text) as { response: { body: string } }[]).map((r) => r.response.body);
}

/**
 * Every event in a parsed fixture, with a JSON text it can be parsed from: the body itself
 * when it is the event, else the event re-serialised with indentation (events in lists).
 */
function eventsIn(value: unknown, text: string | undefined): { event: unknown; text: string }[] {
  if (Array.isArray(value)) return value.flatMap((item) => eventsIn(item, undefined));
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  if (record['object'] === 'event') {
    return [{ event: value, text: text ?? JSON.stringify(value, null, 2) }];
  }
  return Object.values(record).flatMap((child) => eventsIn(child, undefined));
}

describe('stringifyOmiseEventJob', () => {
  const receivedAt = new Date('2026-11-23T10:00:01.500Z');

  /** The job as the receiver built it before: zod's copy of the envelope, JSON.stringify'd. */
  function jobOf(event: unknown): OmiseEventJob | undefined {
    const copied = OmiseEventEnvelope.safeParse(event);
    if (!copied.success) return undefined;
    const disposition = toEventDisposition(copied.data, receivedAt, 'webhook');
    return disposition.kind === 'project' ? disposition.job : undefined;
  }

  /** The job for a delivery's text, as the route builds it; fails the test for any other outcome. */
  function projectedJobOf(text: string, origin: EventOrigin): OmiseEventJob {
    const validated = validateOmiseEventEnvelope(JSON.parse(text));
    if (!validated.success) throw new Error(`invalid envelope: ${validated.error.message}`);
    const disposition = toEventDisposition(validated.data, receivedAt, origin);
    if (disposition.kind !== 'project') throw new Error(`not projected: ${disposition.kind}`);
    return disposition.job;
  }

  it('without the text, is JSON.stringify of the job', () => {
    const job = jobOf(envelope({}));
    expect(job).toBeDefined();
    if (job !== undefined) expect(stringifyOmiseEventJob(job)).toBe(JSON.stringify(job));
  });

  it('with the text of the body, stores what JSON.stringify of the validated envelope gave, for every event in shared/omise/fixtures', () => {
    let projected = 0;
    for (const file of listJsonFiles(fixturesRoot)) {
      for (const body of textsOf(file)) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch {
          continue; // not JSON (the fixtures keep one deliberately truncated file)
        }
        for (const { event, text } of eventsIn(parsed, body)) {
          const delivered: unknown = JSON.parse(text);
          const validated = validateOmiseEventEnvelope(delivered);
          if (!validated.success) continue;
          const disposition = toEventDisposition(validated.data, receivedAt, 'webhook');
          if (disposition.kind !== 'project') continue;
          projected += 1;
          const stored: unknown = JSON.parse(stringifyOmiseEventJob(disposition.job, text));
          const before: unknown = JSON.parse(JSON.stringify(jobOf(event)));
          expect({ file, job: stored }).toEqual({ file, job: before });
          // And the worker, which re-parses every payload, reads the same job.
          expect(jobCatalog.omiseEvent.payload.parse(stored)).toEqual(
            jobCatalog.omiseEvent.payload.parse(before),
          );
        }
      }
    }
    // Charge, refund and dispute events of several libraries and API versions.
    expect(projected).toBeGreaterThan(20);
  });

  it("escapes what needs escaping in the fields it writes itself, and keeps a refund's charge id", () => {
    const text = JSON.stringify(
      envelope({
        key: 'refund."odd"\\key\u2028',
        data: { object: 'refund', id: 'rfnd_test_1', charge: 'chrg_test_1' },
      }),
    );
    const job = projectedJobOf(text, 'replay');
    expect(job.chargeId).toBe('chrg_test_1');
    expect(JSON.parse(stringifyOmiseEventJob(job, text))).toEqual(JSON.parse(JSON.stringify(job)));
  });

  it.each([
    ['charge', '.'],
    ['charge', '..'],
    ['charge', 'chrg_../../account'],
    ['dispute', 'chrg_test_1'],
    ['refund', 'rfnd_test 1'],
  ])('when a %s event names the id %j, it is invalid and never becomes a job', (object, id) => {
    const parsed = OmiseEventEnvelope.parse(
      envelope({ data: { object, id, charge: 'chrg_test_1' } }),
    );
    expect(toEventDisposition(parsed, receivedAt, 'webhook')).toMatchObject({ kind: 'invalid' });
  });

  it('when a refund names a charge id that is not one, it is invalid', () => {
    const parsed = OmiseEventEnvelope.parse(
      envelope({ data: { object: 'refund', id: 'rfnd_test_1', charge: '../charges' } }),
    );
    expect(toEventDisposition(parsed, receivedAt, 'webhook')).toEqual({
      kind: 'invalid',
      message: 'data.charge: not an Omise charge id',
    });
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'when data.object is %j, the event is ignored with that object type',
    (object) => {
      const parsed = OmiseEventEnvelope.parse(envelope({ data: { object, id: 'x_1' } }));
      expect(toEventDisposition(parsed, receivedAt, 'webhook')).toEqual({
        kind: 'ignore',
        objectType: object,
      });
    },
  );

  it('keeps the text of the body for what a re-serialisation would spell differently', () => {
    const text =
      '{ "object": "event", "id": "evnt_test_1", "livemode": false, "key": "charge.create",\n' +
      '  "created_at": "2026-11-23T10:00:00Z", "data": { "object": "charge", "id": "chrg_1",\n' +
      '  "amount": 1.0e5, "description": "caf\\u00e9 \\ud83d\\ude00" } }';
    const job = projectedJobOf(text, 'webhook');
    const json = stringifyOmiseEventJob(job, text);
    expect(json).toContain('"amount": 1.0e5');
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(job)));
    expect((JSON.parse(json) as OmiseEventJob).event['data']).toEqual({
      object: 'charge',
      id: 'chrg_1',
      amount: 100_000,
      description: 'café 😀',
    });
  });
});
