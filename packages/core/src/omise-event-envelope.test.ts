import { describe, expect, it } from '@jest/globals';
import { recordedBodies } from '@omise-sync/testing';
import { jobCatalog } from './job-catalog';
import { OmiseEventEnvelope, toEventDisposition } from './omise-event-envelope';

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
      data: { object: 'source', id: 'src_test_1' },
    });
    expect(toEventDisposition(event, receivedAt, 'webhook')).toMatchObject({
      kind: 'ignore',
      objectType: 'source',
      // Still a job, so the worker records it with its key.
      job: {
        eventId: 'evnt_test_5x1',
        key: 'charge.update',
        objectType: 'source',
        objectId: 'src_test_1',
        origin: 'webhook',
      },
    });
  });

  it('projects a card event through its customer, named in data.location; a deleted stub names none', () => {
    const card = (data: Record<string, unknown>) =>
      toEventDisposition(envelope({ key: 'card.update', data }), receivedAt, 'webhook');
    expect(
      card({
        object: 'card',
        id: 'card_test_1',
        location: '/customers/cust_test_9/cards/card_test_1',
      }),
    ).toMatchObject({ kind: 'project', job: { resourceType: 'card', customerId: 'cust_test_9' } });
    const stub = card({ object: 'card', id: 'card_test_1', deleted: true });
    expect(stub.kind === 'project' && stub.job.customerId).toBeUndefined();
    expect(
      card({ object: 'card', id: 'card_test_1', location: '/customers/../cards/card_test_1' }),
    ).toMatchObject({ kind: 'invalid' });
  });

  it('accepts a schedule event, whose charge is an id-less scheduled_charge', () => {
    const event = envelope({
      key: 'schedule.create',
      data: { object: 'schedule', id: 'schd_test_1', charge: { object: 'scheduled_charge' } },
    });
    expect(toEventDisposition(event, receivedAt, 'webhook')).toMatchObject({
      kind: 'project',
      job: { resourceType: 'schedule', resourceId: 'schd_test_1' },
    });
  });

  it('keeps unknown envelope fields in the job', () => {
    const event = envelope({ team_uid: 'team_1', webhook_deliveries: [] });
    const disposition = toEventDisposition(event, receivedAt, 'webhook');
    expect(disposition.kind === 'project' && disposition.job.event['team_uid']).toBe('team_1');
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
      expect(toEventDisposition(parsed, receivedAt, 'webhook')).toMatchObject({
        kind: 'ignore',
        objectType: object,
        job: { objectType: object },
      });
    },
  );
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

/** Every event in a parsed fixture (a body that is an event, or events inside lists). */
function eventsIn(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap((item) => eventsIn(item));
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  if (record['object'] === 'event') return [value];
  return Object.values(record).flatMap((child) => eventsIn(child));
}

describe('the job of every charge, refund and dispute event in shared/omise/fixtures', () => {
  it('is read back by the worker, through JSON, as the same payload', () => {
    let projected = 0;
    for (const { where, body } of recordedBodies()) {
      for (const event of eventsIn(body)) {
        const validated = OmiseEventEnvelope.safeParse(event);
        if (!validated.success) continue;
        const disposition = toEventDisposition(validated.data, receivedAt, 'webhook');
        if (disposition.kind !== 'project') continue;
        projected += 1;
        const stored: unknown = JSON.parse(JSON.stringify(disposition.job));
        expect({ where, job: jobCatalog.omiseEvent.payload.parse(stored) }).toEqual({
          where,
          job: JSON.parse(JSON.stringify(disposition.job)) as unknown,
        });
      }
    }
    // Charge, refund and dispute events of several libraries and API versions.
    expect(projected).toBeGreaterThan(20);
  });
});
