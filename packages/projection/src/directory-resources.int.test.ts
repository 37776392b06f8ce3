import {
  type PiiPolicy,
  OmiseEventEnvelope,
  protectPii,
  toEventDisposition,
} from '@omise-sync/core';
import { useTestDatabase } from '@omise-sync/testing';
import { sql } from 'kysely';
import { useEmulatorDeps } from '../test/use-emulator-deps';
import { type ProjectionDeps, type ProjectionResult, projectBatch } from './project-batch';
import { collect } from './projection-context';
import { eventResource } from './resources';

const SALT = 'directory-test-salt-0123';
const HASH: PiiPolicy = { mode: 'hash', salt: SALT };
const CARD = {
  name: 'Ann Card-Holder',
  number: '4242424242424242',
  expiration_month: 12,
  expiration_year: 2040,
};
const FAILING_CARD = { ...CARD, number: '4111111111140011' };

describe('customers, cards, recipients, schedules and links from their events (emulator over HTTP)', () => {
  const database = useTestDatabase();
  const fixture = useEmulatorDeps('directory-resources');
  let seen = 0;

  const deps = (pii: PiiPolicy = HASH): ProjectionDeps => ({
    ...fixture.deps,
    db: database.handle.db,
    pii,
  });

  /** Projects, one at a time and in order, every event the emulator emitted since the last call. */
  async function projectNewEvents(
    pii: PiiPolicy = HASH,
  ): Promise<Map<string, ProjectionResult | 'ignored'>> {
    const events = await collect(fixture.deps.omise.events.list({ limit: 100 }));
    const results = new Map<string, ProjectionResult | 'ignored'>();
    for (const event of events.slice(seen)) {
      const disposition = toEventDisposition(
        OmiseEventEnvelope.parse(event),
        new Date(),
        'webhook',
      );
      if (disposition.kind !== 'project') continue;
      let resource;
      try {
        resource = eventResource(disposition.job);
      } catch {
        // What the worker does with an event naming no fetchable resource.
        results.set(`${event.key}:${event.id}`, 'ignored');
        continue;
      }
      const [result] = await projectBatch(deps(pii), [
        { kind: 'event', job: disposition.job, resource },
      ]);
      if (result !== undefined) results.set(`${event.key}:${event.id}`, result);
    }
    seen = events.length;
    return results;
  }

  const row = async (table: string, id: string) => {
    const { rows } = await sql<Record<string, unknown>>`
      SELECT * FROM ${sql.table(table)} WHERE id = ${id}`.execute(database.handle.db);
    return rows[0];
  };

  function newCustomer(email: string, card = CARD) {
    const { actions } = fixture.emulator;
    const token = actions.createToken({ card });
    return actions.createCustomer({ email, description: 'VIP', card: token.id as string });
  }

  it('when a customer is created, changed and given a card, its row and cards follow, with personal data hashed', async () => {
    const { actions } = fixture.emulator;
    const customer = newCustomer('ann@example.com');
    const id = customer.id as string;
    actions.updateCustomer(id, { description: 'VVIP' });
    const second = actions.createToken({ card: { ...CARD, name: 'Second Card' } });
    actions.updateCustomer(id, { card: second.id as string });
    const results = await projectNewEvents();
    expect([...results.values()].every((r) => r !== 'ignored' && r.outcome === 'projected')).toBe(
      true,
    );

    const stored = await row('omise.customers', id);
    expect(stored?.['email']).toBe(protectPii('ann@example.com', HASH));
    expect(stored?.['description']).toBe(protectPii('VVIP', HASH));
    expect(stored?.['deleted_at']).toBeNull();
    const { rows: cards } = await sql<{ name: string; last_digits: string; raw: unknown }>`
      SELECT name, last_digits, raw FROM omise.cards WHERE customer_id = ${id}`.execute(
      database.handle.db,
    );
    expect(cards).toHaveLength(2);
    expect(cards.map((c) => c.last_digits)).toEqual(['4242', '4242']);
    expect(cards.map((c) => c.name).sort()).toEqual(
      [protectPii('Ann Card-Holder', HASH), protectPii('Second Card', HASH)].sort(),
    );
    // No readable personal value and no card number anywhere in the rows, raw JSON included.
    const { rows: dump } = await sql<{ text: string }>`
      SELECT (SELECT json_agg(c)::text FROM omise.customers c) ||
             (SELECT json_agg(k)::text FROM omise.cards k) AS text`.execute(database.handle.db);
    const text = dump[0]?.text ?? '';
    for (const secret of ['ann@example.com', 'VVIP', 'Ann Card-Holder', '4242424242424242']) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toContain('fingerprint');
  });

  it('when a card is updated and then destroyed, the card becomes a tombstone and its stub event is recorded, not failed', async () => {
    const { actions } = fixture.emulator;
    const customer = newCustomer('bob@example.com');
    const id = customer.id as string;
    const cardId = (customer.cards as { data: { id: string }[] }).data[0]?.id ?? '';
    const created = await projectNewEvents();
    actions.updateCard(id, cardId, { name: 'Bob Renamed' });
    actions.destroyCard(id, cardId);
    const results = await projectNewEvents();
    const keys = [...created.keys(), ...results.keys()].map((key) => key.split(':')[0]);
    expect(keys).toEqual([
      'customer.create',
      'card.update',
      'card.destroy',
      'customer.update.card',
    ]);
    const card = await row('omise.cards', cardId);
    expect(card?.['deleted_at']).toBeInstanceOf(Date);
    // The stub names no customer: recorded as ignored; the customer's own event tombstoned it.
    expect([...results.values()].map((r) => (r === 'ignored' ? r : r.outcome))).toEqual([
      'projected',
      'ignored',
      'projected',
    ]);
  });

  it('when a customer is destroyed, the re-fetch 404 makes it and its cards tombstones; bi.customers hides it, the _including_deleted twin keeps it', async () => {
    const customer = newCustomer('carol@example.com');
    const id = customer.id as string;
    await projectNewEvents();
    fixture.emulator.actions.destroyCustomer(id);
    const results = [...(await projectNewEvents()).values()];
    expect(results).toEqual([
      { outcome: 'projected', written: true, children: 0, flag: undefined },
    ]);
    expect((await row('omise.customers', id))?.['deleted_at']).toBeInstanceOf(Date);
    const { rows: live } = await sql`SELECT 1 FROM omise.cards
      WHERE customer_id = ${id} AND deleted_at IS NULL`.execute(database.handle.db);
    expect(live).toHaveLength(0);
    const { rows: visible } =
      await sql`SELECT 1 FROM bi.customers WHERE customer_id = ${id}`.execute(database.handle.db);
    const { rows: all } = await sql`
      SELECT 1 FROM bi.customers_including_deleted WHERE customer_id = ${id}`.execute(
      database.handle.db,
    );
    expect([visible.length, all.length]).toEqual([0, 1]);
  });

  it('when a customer never seen is created and destroyed before its events arrive, they are recorded not_found and no row is made', async () => {
    const { actions } = fixture.emulator;
    const customer = newCustomer('ivy@example.com');
    actions.destroyCustomer(String(customer.id));
    const outcomes = [...(await projectNewEvents()).values()].map((r) =>
      r === 'ignored' ? r : r.outcome,
    );
    expect(outcomes).toEqual(['not_found', 'not_found']);
    expect(await row('omise.customers', String(customer.id))).toBeUndefined();
  });

  it('bi.customers counts first and last charge, net lifetime volume and disputes of a customer', async () => {
    const { actions } = fixture.emulator;
    const customer = newCustomer('dave@example.com');
    const id = customer.id as string;
    const first = actions.createCharge({ amount: 100_000, currency: 'thb', customer: id });
    const second = actions.createCharge({ amount: 50_000, currency: 'thb', customer: id });
    actions.createRefund(first.id as string, { amount: 20_000 });
    actions.createDispute(second.id as string);
    await projectNewEvents();
    const { rows } = await sql<Record<string, unknown>>`
      SELECT charge_count, lifetime_volume, currency, dispute_count, first_charge_at, last_charge_at
        FROM bi.customers WHERE customer_id = ${id}`.execute(database.handle.db);
    expect(rows[0]).toMatchObject({
      charge_count: 2,
      lifetime_volume: 130_000,
      currency: 'THB',
      dispute_count: 1,
    });
    expect(rows[0]?.['first_charge_at']).toBeInstanceOf(Date);
  });

  it('PII_MODE keep stores personal data as it is; drop stores none', async () => {
    const kept = newCustomer('erin@example.com');
    await projectNewEvents({ mode: 'keep' });
    expect((await row('omise.customers', kept.id as string))?.['email']).toBe('erin@example.com');
    const dropped = newCustomer('frank@example.com');
    await projectNewEvents({ mode: 'drop' });
    const stored = await row('omise.customers', dropped.id as string);
    expect([stored?.['email'], stored?.['description']]).toEqual([null, null]);
    expect(JSON.stringify(stored?.['raw'])).not.toContain('frank@example.com');
  });

  it('when a recipient is created, verified and destroyed, its row follows and ends as a tombstone', async () => {
    const { actions } = fixture.emulator;
    const recipient = actions.createRecipient({
      name: 'Gina Payee',
      email: 'gina@example.com',
      bank_account: { brand: 'bbl', number: '1234567890', name: 'Gina Payee' },
    });
    const id = recipient.id as string;
    actions.verifyRecipient(id);
    await projectNewEvents();
    const stored = await row('omise.recipients', id);
    expect(stored).toMatchObject({
      verified: true,
      active: true,
      bank_last_digits: '7890',
      name: protectPii('Gina Payee', HASH),
      deleted_at: null,
    });
    expect(JSON.stringify(stored?.['raw'])).not.toContain('Gina');
    actions.destroyRecipient(id);
    await projectNewEvents();
    expect((await row('omise.recipients', id))?.['deleted_at']).toBeInstanceOf(Date);
    const { rows } = await sql`SELECT 1 FROM bi.recipients WHERE recipient_id = ${id}`.execute(
      database.handle.db,
    );
    expect(rows).toHaveLength(0);
  });

  it('a schedule lists its upcoming runs in bi.schedules_due; a failed occurrence suspends it and shows as failed; destroyed, it leaves the view', async () => {
    const { actions } = fixture.emulator;
    const today = new Date().toISOString().slice(0, 10);
    const customer = newCustomer('hank@example.com', FAILING_CARD);
    const schedule = actions.createSchedule({
      every: 1,
      period: 'month',
      start_date: today,
      end_date: '2099-12-31',
      charge: { customer: customer.id as string, amount: 10_000, currency: 'thb' },
    });
    const id = schedule.id as string;
    await projectNewEvents();
    const due = async () =>
      (
        await sql<{ kind: string; status: string }>`
          SELECT kind, status FROM bi.schedules_due WHERE schedule_id = ${id}
           ORDER BY kind, due_on`.execute(database.handle.db)
      ).rows;
    expect((await due()).map((r) => r.kind)).toEqual(['upcoming', 'upcoming', 'upcoming']);

    actions.runScheduleOccurrence(id);
    await projectNewEvents();
    expect(await due()).toEqual([{ kind: 'failed', status: 'failed' }]);
    const { rows: occurrences } = await sql<{ status: string; result_id: string }>`
      SELECT status, result_id FROM omise.schedule_occurrences WHERE schedule_id = ${id}`.execute(
      database.handle.db,
    );
    expect(occurrences.map((o) => o.status)).toEqual(['failed']);
    expect(occurrences[0]?.result_id).toMatch(/^chrg_/);

    actions.destroySchedule(id);
    await projectNewEvents();
    expect((await row('omise.schedules', id))?.['deleted_at']).toBeInstanceOf(Date);
    expect(await due()).toEqual([]);
  });

  it('when a link is created, link.create projects it into omise.links and bi.links', async () => {
    const link = fixture.emulator.actions.createLink({
      amount: 25_000,
      currency: 'thb',
      title: 'T-shirt',
      description: 'Blue',
    });
    await projectNewEvents();
    const { rows } = await sql<Record<string, unknown>>`
      SELECT amount, currency, title, used FROM bi.links WHERE link_id = ${String(link.id)}`.execute(
      database.handle.db,
    );
    expect(rows).toEqual([{ amount: 25_000, currency: 'THB', title: 'T-shirt', used: false }]);
  });
});
