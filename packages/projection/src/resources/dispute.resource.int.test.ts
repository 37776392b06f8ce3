import { type EventOrigin } from '@omise-sync/core';
import { findDisputeDocuments, findDisputeFlag, getDispute } from '@omise-sync/db';
import { createCardCharge, createCardToken, useTestDatabase } from '@omise-sync/testing';
import { Dispute, DisputeDocument } from '@omise-sync/omise-client';
import { sql } from 'kysely';
import type { Observed } from '../resource-module';
import { useEmulatorDeps } from '../../test/use-emulator-deps';
import { type DisputeObservation, disputeChargeId } from './dispute.resource';
import { resourceModules } from './index';

const T1 = new Date('2026-01-01T00:00:01Z');
const T2 = new Date('2026-01-01T00:00:02Z');
const T3 = new Date('2026-01-01T00:00:03Z');

/** A dispute as Omise (API 2019-05-29) returns it; its charge is unknown to the emulator. */
function disputeObject(overrides: Record<string, unknown> & { id: string }): Dispute {
  return Dispute.parse({
    object: 'dispute',
    livemode: false,
    location: `/disputes/${overrides.id}`,
    amount: 90_000,
    currency: 'THB',
    status: 'open',
    charge: 'chrg_test_1',
    reason_code: 'goods_or_services_not_provided',
    reason_message: 'Merchandise/Services Not Received',
    message: null,
    metadata: {},
    closed_at: null,
    created_at: '2025-03-20T09:50:24Z',
    ...overrides,
  });
}

function documentObject(disputeId: string, id: string): DisputeDocument {
  return DisputeDocument.parse({
    object: 'document',
    id,
    livemode: false,
    location: `/disputes/${disputeId}/documents/${id}`,
    filename: 'receipt.pdf',
    kind: null,
    download_uri: null,
    deleted: false,
    created_at: '2025-03-20T10:00:00Z',
  });
}

function observed(
  dispute: Dispute,
  observedAt: Date,
  options: { documents?: DisputeDocument[]; origin?: EventOrigin } = {},
): Observed<DisputeObservation> {
  return {
    observation: { dispute, documents: options.documents ?? [] },
    origin: options.origin ?? 'webhook',
    observedAt,
  };
}

describe('dispute resource write', () => {
  const database = useTestDatabase();
  const fixture = useEmulatorDeps('dispute-resource-write');

  const write = (items: readonly Observed<DisputeObservation>[]) =>
    database.handle.db
      .transaction()
      .execute((trx) => resourceModules.dispute.write(trx, items, fixture.deps));

  it('when a country has its own response days, a dispute on a card issued there is due after them, any other after the default', async () => {
    const { emulator } = fixture;
    const disputeOnCard = (country: string) => {
      const token = emulator.actions.createToken({
        card: {
          name: 'T',
          number: '4242424242424242',
          expiration_month: 12,
          expiration_year: 2040,
          country,
        },
      });
      const charge = emulator.actions.createCharge({
        amount: 100_000,
        currency: 'THB',
        card: String(token['id']),
      });
      return String(emulator.actions.createDispute(String(charge['id']))['id']);
    };
    const deps = { ...fixture.deps, responseDays: { default: 7, JP: 10 } };
    const ids = [disputeOnCard('jp'), disputeOnCard('th')];
    const items = await Promise.all(
      ids.map(async (id) =>
        observed((await resourceModules.dispute.fetch(deps.omise, id)).dispute, T1),
      ),
    );
    // A charge Omise no longer has (404) leaves the default.
    const orphan = observed(
      disputeObject({ id: 'dspt_test_orphan', charge: 'chrg_test_gone' }),
      T1,
    );
    await database.handle.db
      .transaction()
      .execute((trx) => resourceModules.dispute.write(trx, [...items, orphan], deps));
    const daysToAnswer = async (id: string) => {
      const row = await getDispute(database.handle.db, id);
      return (row.respond_by.getTime() - new Date(row.created_at).getTime()) / 86_400_000;
    };
    expect(await Promise.all([...ids, 'dspt_test_orphan'].map(daysToAnswer))).toEqual([10, 7, 7]);
  });

  it("a dispute takes its charge's customer: from Omise when the charge is not stored yet, else from Postgres", async () => {
    const { db } = database.handle;
    const { actions } = fixture.emulator;
    const customer = String(
      actions.createCustomer({
        email: 'dora@example.com',
        card: createCardToken(fixture.emulator),
      })['id'],
    );
    const disputeOn = async (chargeCustomer: string | undefined) => {
      const params = { amount: 100_000, currency: 'THB' };
      const charge =
        chargeCustomer === undefined
          ? createCardCharge(fixture.emulator, params)
          : actions.createCharge({ ...params, customer: chargeCustomer });
      const id = String(actions.createDispute(String(charge['id']))['id']);
      return observed((await resourceModules.dispute.fetch(fixture.deps.omise, id)).dispute, T1);
    };
    const beforeItsCharge = await disputeOn(customer);
    const guestCharge = await disputeOn(undefined);
    await write([beforeItsCharge, guestCharge]);
    // A stored charge is believed over Omise: a customer only the row names proves the source.
    const stored = await disputeOn(customer);
    await sql`
      INSERT INTO omise.charges (id, livemode, amount, currency, status, authorized, paid,
             refunded_amount, metadata, created_at, raw, origin, observed_at, customer_id)
      VALUES (${disputeChargeId(stored.observation.dispute)}, false, 100000, 'THB',
             'successful', true, true, 0, '{}', now(), '{}', 'backfill', now(),
             'cust_test_stored')`.execute(db);
    await write([stored]);
    const customers = await Promise.all(
      [beforeItsCharge, guestCharge, stored].map(
        async (item) => (await getDispute(db, item.observation.dispute.id)).customer_id,
      ),
    );
    expect(customers).toEqual([customer, null, 'cust_test_stored']);
  });

  it('when an older dispute observation arrives late, the closed state stays', async () => {
    const { db } = database.handle;
    await write([
      observed(disputeObject({ id: 'dspt_1', status: 'won', closed_at: T2.toISOString() }), T2),
    ]);
    const [late] = await write([observed(disputeObject({ id: 'dspt_1' }), T1)]);
    expect(late).toMatchObject({ written: false });
    expect((await getDispute(db, 'dspt_1')).status).toBe('won');
  });

  it('when a document disappears from the dispute, it is kept and marked deleted', async () => {
    const { db } = database.handle;
    const dispute = disputeObject({ id: 'dspt_docs' });
    await write([
      observed(dispute, T1, {
        documents: [documentObject('dspt_docs', 'docu_1'), documentObject('dspt_docs', 'docu_2')],
      }),
    ]);
    const [outcome] = await write([
      observed(dispute, T2, { documents: [documentObject('dspt_docs', 'docu_2')] }),
    ]);
    // docu_2 written again, docu_1 marked deleted.
    expect(outcome).toMatchObject({ written: true, children: 2 });
    const documents = await findDisputeDocuments(db, 'dspt_docs');
    expect(documents.map((d) => [d.id, d.deleted])).toEqual([
      ['docu_1', true],
      ['docu_2', false],
    ]);
  });

  it('when the dispute lists no documents any more, all are marked deleted', async () => {
    const { db } = database.handle;
    const dispute = disputeObject({ id: 'dspt_empty' });
    await write([observed(dispute, T1, { documents: [documentObject('dspt_empty', 'docu_e')] })]);
    const [outcome] = await write([observed(dispute, T2)]);
    expect(outcome).toMatchObject({ children: 1 });
    const documents = await findDisputeDocuments(db, 'dspt_empty');
    expect(documents.map((d) => [d.id, d.deleted])).toEqual([['docu_e', true]]);
  });

  it('when an older document list arrives late, it neither revives nor deletes anything', async () => {
    const { db } = database.handle;
    const dispute = disputeObject({ id: 'dspt_late' });
    await write([observed(dispute, T3, { documents: [documentObject('dspt_late', 'docu_new')] })]);
    const [late] = await write([
      observed(dispute, T1, { documents: [documentObject('dspt_late', 'docu_old')] }),
    ]);
    expect(late).toMatchObject({ written: false, children: 0 });
    const documents = await findDisputeDocuments(db, 'dspt_late');
    expect(documents.map((d) => [d.id, d.deleted])).toEqual([['docu_new', false]]);
  });

  it('when a dispute is written twice, only the first write creates its flag', async () => {
    const { db } = database.handle;
    const [first] = await write([
      observed(disputeObject({ id: 'dspt_flag', reason_code: 'unauthorized_charge' }), T1),
    ]);
    expect(first?.flag).toMatchObject({ severity: 'high', notify: true });
    // Graded on its own, this observation would be `low`: a second flag would show.
    const [second] = await write([
      observed(disputeObject({ id: 'dspt_flag', status: 'pending' }), T2, { origin: 'replay' }),
    ]);
    expect(second).toMatchObject({ written: true, flag: undefined });
    expect(await findDisputeFlag(db, 'dspt_flag')).toMatchObject({
      severity: 'high',
      reasons: ['reason=unauthorized_charge'],
      first_seen_status: 'open',
      notify: true,
      notified_at: null,
    });
  });

  it('when a dispute closes, its flag is resolved once', async () => {
    const { db } = database.handle;
    await write([observed(disputeObject({ id: 'dspt_res' }), T1, { origin: 'backfill' })]);
    expect(await findDisputeFlag(db, 'dspt_res')).toMatchObject({
      notify: false,
      resolution: null,
      resolved_at: null,
    });
    await write([
      observed(disputeObject({ id: 'dspt_res', status: 'won', closed_at: T2.toISOString() }), T2),
    ]);
    expect(await findDisputeFlag(db, 'dspt_res')).toMatchObject({
      resolution: 'won',
      resolved_at: T2,
    });
    await write([
      observed(disputeObject({ id: 'dspt_res', status: 'lost', closed_at: T3.toISOString() }), T3),
    ]);
    expect(await findDisputeFlag(db, 'dspt_res')).toMatchObject({
      resolution: 'won',
      resolved_at: T2,
    });
  });
});
