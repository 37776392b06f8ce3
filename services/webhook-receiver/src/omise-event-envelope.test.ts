import { describe, expect, it } from '@jest/globals';
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
