import { Dispute, DisputeDocument } from '@omise-sync/omise-client';
import {
  disputeChargeId,
  embeddedDocuments,
  isDisputeActive,
  isDisputeClosed,
  toDisputeDocumentRow,
  toDisputeRow,
} from './dispute.resource';
import { fixtureObjects, readFixture } from '@omise-sync/testing';
import { disputeRespondBy } from './dispute-deadline';

const context = { origin: 'backfill' as const, observedAt: new Date('2026-01-01T00:00:00Z') };

describe('toDisputeRow over every recorded dispute', () => {
  const disputes = fixtureObjects('dispute');

  it('finds many recorded disputes', () => {
    expect(disputes.length).toBeGreaterThanOrEqual(30);
  });

  it.each(disputes.map((d) => [d.where, d.value] as const))('%s maps to a row', (_where, value) => {
    const dispute = Dispute.parse(value);
    const row = toDisputeRow(dispute, context, 7);
    expect(row.charge_id).toMatch(/^chrg_/);
    expect(row.currency).toMatch(/^[A-Z]{3}$/);
    expect(row.origin).toBe('backfill');
    expect(row.raw).not.toHaveProperty('documents');
  });
});

describe('toDisputeRow on specific recordings', () => {
  it('when the response window is configured, respond_by is the opening plus that many days', () => {
    const dispute = Dispute.parse(
      readFixture('omise-php/disputes/dspt_test_6344e4i5yv427gaj1s2-get.json'),
    );
    expect(toDisputeRow(dispute, context, 10).respond_by).toEqual(new Date('2025-03-30T09:50:24Z'));
    expect(disputeRespondBy('2025-12-31T23:00:00Z', 1)).toEqual(new Date('2026-01-01T23:00:00Z'));
  });

  it('when the dispute is from API 2019-05-29, every typed column is taken from it', () => {
    const dispute = Dispute.parse(
      readFixture('omise-php/disputes/dspt_test_6344e4i5yv427gaj1s2-get.json'),
    );
    // The customer comes from the charge: Omise's dispute does not name it.
    expect(toDisputeRow(dispute, context, 7, { customerId: 'cust_test_1' })).toEqual({
      id: 'dspt_test_6344e4i5yv427gaj1s2',
      charge_id: 'chrg_test_63444wyfsg4mtvvck1z',
      customer_id: 'cust_test_1',
      livemode: false,
      amount: 90_000,
      currency: 'THB',
      status: 'open',
      reason_code: 'goods_or_services_not_provided',
      reason_message: 'Merchandise/Services Not Received',
      message: null,
      admin_message: null,
      metadata: {},
      created_at: '2025-03-20T09:50:24Z',
      closed_at: null,
      respond_by: new Date('2025-03-27T09:50:24Z'),
      raw: expect.objectContaining({ transactions: expect.any(Array) as unknown }) as unknown,
      origin: 'backfill',
      observed_at: context.observedAt,
    });
    expect(embeddedDocuments(dispute)).toEqual([]);
  });

  it('when the dispute was accepted, it is closed as lost', () => {
    const dispute = Dispute.parse(
      readFixture('omise-php/disputes/dspt_test_6344e4i5yv427gaj1s2/accept-patch.json'),
    );
    const row = toDisputeRow(dispute, context, 7);
    expect(row.status).toBe('lost');
    expect(row.closed_at).not.toBeNull();
    expect(isDisputeClosed(row.status)).toBe(true);
    expect(isDisputeActive(row.status)).toBe(false);
  });

  it('when the charge is expanded, its id is used', () => {
    const dispute = Dispute.parse({
      ...(readFixture('omise-php/disputes/dspt_test_6344e4i5yv427gaj1s2-get.json') as object),
      charge: { object: 'charge', id: 'chrg_expanded' },
    });
    expect(disputeChargeId(dispute)).toBe('chrg_expanded');
  });
});

describe('toDisputeDocumentRow', () => {
  it.each(fixtureObjects('document').map((d) => [d.where, d.value] as const))(
    '%s maps to a row of its dispute',
    (_where, value) => {
      const document = DisputeDocument.parse(value);
      const row = toDisputeDocumentRow(
        document,
        { id: 'dspt_test_1', created_at: '2020-01-01T00:00:00Z' },
        context,
      );
      expect(row.dispute_id).toBe('dspt_test_1');
      expect(row.filename).toBe(document.filename);
      expect(Number.isNaN(Date.parse(String(row.created_at)))).toBe(false);
    },
  );
});
