import { setTimeout as sleep } from 'node:timers/promises';
import { type EmulatorAccount } from './emulator';
import { OmiseApiError } from './omise-api-error';
import { type Json } from './resource-render';
import { createSeededRandom, type SeededRandom } from './seeded-random';
import { FAILING_TEST_CARDS, SUCCESSFUL_TEST_CARDS } from './test-cards';

export interface ScenarioOptions {
  /** Charges to create. */
  charges: number;
  /** Share (0..1) of successful charges that get a refund (half of them partial). */
  refundShare: number;
  /** Share (0..1) of successful charges that get disputed. */
  disputeShare: number;
  /** Charges created per second. */
  ratePerSecond: number;
  /** Seed for the scenario's own choices. @defaultValue random */
  seed?: string | number;
  /**
   * Pay out the settled balance after every this many charges, and once more at the end,
   * each payout going create → sent → paid (one in ten fails); 0 = no payouts.
   * @defaultValue 0
   */
  payoutEvery?: number;
}

export interface ScenarioSummary {
  charges: number;
  successful: number;
  failed: number;
  preauthorized: number;
  captured: number;
  reversed: number;
  expired: number;
  updated: number;
  refunds: number;
  disputes: number;
  disputesWon: number;
  disputesLost: number;
  disputesAccepted: number;
  disputesLeftOpen: number;
  documents: number;
  payouts: number;
  payoutsFailed: number;
  receipts: number;
  /** Customers, recipients, schedules and links the scenario created. */
  customers: number;
  recipients: number;
  schedules: number;
  links: number;
  events: number;
  errors: number;
  durationMs: number;
}

const emptySummary = (): ScenarioSummary => ({
  charges: 0,
  successful: 0,
  failed: 0,
  preauthorized: 0,
  captured: 0,
  reversed: 0,
  expired: 0,
  updated: 0,
  refunds: 0,
  disputes: 0,
  disputesWon: 0,
  disputesLost: 0,
  disputesAccepted: 0,
  disputesLeftOpen: 0,
  documents: 0,
  payouts: 0,
  payoutsFailed: 0,
  receipts: 0,
  customers: 0,
  recipients: 0,
  schedules: 0,
  links: 0,
  events: 0,
  errors: 0,
  durationMs: 0,
});

/** A tiny but valid PDF, used as dispute evidence. */
const EVIDENCE_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  'latin1',
);
const FAILING_NUMBERS = Object.keys(FAILING_TEST_CARDS);
const REASONS = [
  'goods_or_services_not_provided',
  'unauthorized_charge',
  'duplicate_processing',
  'not_as_described_or_defective_merchandise',
  'credit_not_processed',
];

function card(number: string, random: SeededRandom) {
  return {
    card: {
      name: random.pick(['Somchai Prasert', 'Malee Srisuk', 'Taro Yamada', 'Nok Chaiyo']),
      number,
      expiration_month: random.int(1, 12),
      expiration_year: 2030 + random.int(0, 5),
      security_code: '123',
      city: 'Bangkok',
      postal_code: '10320',
    },
  };
}

const idOf = (json: Json): string => String(json.id);

/**
 * Generates live traffic at `ratePerSecond`: charges (some failing on Omise's test cards, some
 * pre-authorised then captured, reversed or expired), refunds, and disputes that move
 * open → (message, document) → pending → won/lost, or open → accepted (lost). Every step goes
 * through the emulator's actions, so it produces the same events and webhooks as the API.
 */
export async function runScenario(
  emulator: EmulatorAccount,
  options: ScenarioOptions,
): Promise<ScenarioSummary> {
  const random = createSeededRandom(options.seed);
  const summary = emptySummary();
  const started = Date.now();
  const eventsBefore = emulator.count('events');
  const followUps: Promise<void>[] = [];
  const { actions } = emulator;
  const step = (): Promise<void> => sleep(random.int(20, 250));
  const guarded = (fn: () => Promise<void>): Promise<void> =>
    fn().catch((err: unknown) => {
      summary.errors++;
      if (!(err instanceof OmiseApiError)) throw err;
    });

  const disputeLifecycle = async (chargeId: string): Promise<void> => {
    await step();
    const dispute = actions.createDispute(chargeId, { reason_code: random.pick(REASONS) });
    summary.disputes++;
    const id = idOf(dispute);
    await step();
    const roll = random.next();
    if (roll < 0.2) {
      actions.acceptDispute(id);
      summary.disputesAccepted++;
      return;
    }
    // A quarter stay open, with no evidence yet, for the dispute desk to answer.
    if (roll < 0.45) {
      summary.disputesLeftOpen++;
      return;
    }
    actions.uploadDocument(id, {
      filename: 'proof-of-delivery.pdf',
      content: EVIDENCE_PDF,
      kind: 'proof_of_receipt',
    });
    summary.documents++;
    await step();
    actions.updateDispute(id, {
      message: 'The goods were delivered; signed proof of delivery attached.',
      metadata: { case: `case-${id.slice(-6)}` },
    });
    await step();
    const won = random.chance(0.6);
    actions.closeDispute(id, { status: won ? 'won' : 'lost' });
    if (won) summary.disputesWon++;
    else summary.disputesLost++;
  };

  const afterPaid = async (charge: Json): Promise<void> => {
    const id = idOf(charge);
    // A partially captured pre-authorisation can only be refunded up to what was captured.
    const amount = Number(charge.captured_amount) || Number(charge.amount);
    if (random.chance(0.05)) {
      await step();
      actions.updateCharge(id, { metadata: { ...(charge.metadata as Json), shipped: 'true' } });
      summary.updated++;
    }
    if (random.chance(options.refundShare)) {
      await step();
      const partial = random.chance(0.5);
      actions.createRefund(id, { amount: partial ? Math.floor(amount / 2) : amount });
      summary.refunds++;
    }
    if (random.chance(options.disputeShare)) await disputeLifecycle(id);
  };

  const preauthLifecycle = async (charge: Json): Promise<void> => {
    const id = idOf(charge);
    await step();
    const roll = random.next();
    if (roll < 0.7) {
      const partial = random.chance(0.3);
      const captured = actions.captureCharge(
        id,
        partial ? { capture_amount: Math.floor(Number(charge.amount) * 0.8) } : {},
      );
      summary.captured++;
      summary.successful++;
      await afterPaid(captured);
    } else if (roll < 0.9) {
      actions.reverseCharge(id);
      summary.reversed++;
    } else {
      actions.expireCharge(id);
      summary.expired++;
    }
  };

  // A payout resolves before the next one is created: a payout failing later would put its
  // money into a payout that did not count it (Omise pays it with the next one after the failure).
  // The closing payout is always paid, so a run ends with its money paid out.
  let payouts = Promise.resolve();
  const payout = (closing = false): Promise<void> => {
    payouts = payouts.then(() =>
      guarded(async () => {
        const transfer = actions.createPayout();
        if (transfer === undefined) return;
        summary.payouts++;
        const id = idOf(transfer);
        await step();
        actions.markTransferAsSent(id);
        await step();
        if (!closing && random.chance(0.1)) {
          actions.markTransferAsFailed(id);
          summary.payoutsFailed++;
        } else actions.markTransferAsPaid(id);
      }),
    );
    return payouts;
  };
  const payoutEvery = options.payoutEvery ?? 0;

  const intervalMs = 1000 / options.ratePerSecond;
  for (let i = 0; i < options.charges; i++) {
    const due = started + i * intervalMs;
    const wait = due - Date.now();
    if (wait > 1) await sleep(wait);
    const failing = random.chance(0.03);
    const preauth = !failing && random.chance(0.08);
    const token = actions.createToken(
      card(failing ? random.pick(FAILING_NUMBERS) : random.pick(SUCCESSFUL_TEST_CARDS), random),
    );
    const charge = actions.createCharge({
      amount: random.int(20, 5000) * 100,
      currency: 'THB',
      card: idOf(token),
      capture: !preauth,
      description: `Order #${100000 + i}`,
      metadata: { order_id: `ORD-${100000 + i}` },
      ip: '203.0.113.1',
    });
    summary.charges++;
    if (charge.status === 'failed') summary.failed++;
    else if (preauth) {
      summary.preauthorized++;
      followUps.push(guarded(() => preauthLifecycle(charge)));
    } else {
      summary.successful++;
      followUps.push(guarded(() => afterPaid(charge)));
    }
    if (payoutEvery > 0 && (i + 1) % payoutEvery === 0) void payout();
  }
  directoryActivity(emulator, Math.max(1, Math.floor(options.charges / 20)), summary);
  await Promise.all(followUps);
  if (payoutEvery > 0) {
    // Movements become payable in whole seconds; the last payout waits for the last of them.
    await sleep(1_100);
    await payout(true);
    summary.receipts = actions.issueReceipts().length;
  }
  summary.events = emulator.count('events') - eventsBefore;
  summary.durationMs = Date.now() - started;
  return summary;
}

/**
 * The other resources a merchant's day has, `count` of each: customers with saved cards (one
 * card renamed, one deleted, one customer deleted), a monthly schedule per customer whose first
 * run is charged now, recipients (verified; one deleted) and payment links. Deterministic, so
 * the charges' seeded choices stay as they were.
 */
function directoryActivity(
  emulator: EmulatorAccount,
  count: number,
  summary: ScenarioSummary,
): void {
  const { actions } = emulator;
  const today = new Date().toISOString().slice(0, 10);
  const tokenOf = (number: string, name: string) =>
    idOf(
      actions.createToken({
        card: { name, number, expiration_month: 12, expiration_year: 2040 },
      }),
    );
  for (let i = 0; i < count; i++) {
    const customer = actions.createCustomer({
      email: `customer${i}@example.com`,
      description: `Customer ${i}`,
      card: tokenOf(
        SUCCESSFUL_TEST_CARDS[i % SUCCESSFUL_TEST_CARDS.length] ?? '4242424242424242',
        `Holder ${i}`,
      ),
    });
    summary.customers++;
    const customerId = idOf(customer);
    const second = actions.updateCustomer(customerId, {
      card: tokenOf('4242424242424242', `Second ${i}`),
    });
    const cards = (second.cards as { data: { id: string }[] }).data;
    if (i % 2 === 0 && cards[1] !== undefined) {
      actions.updateCard(customerId, cards[1].id, { name: `Renamed ${i}` });
    } else if (cards[1] !== undefined) {
      actions.destroyCard(customerId, cards[1].id);
    }
    const schedule = actions.createSchedule({
      every: 1,
      period: 'month',
      start_date: today,
      end_date: '2099-12-31',
      charge: { customer: customerId, amount: 9_900 + i, currency: 'THB' },
    });
    summary.schedules++;
    actions.runScheduleOccurrence(idOf(schedule));
    if (i === count - 1 && count > 1) actions.destroyCustomer(customerId);

    const recipient = actions.createRecipient({
      name: `Payee ${i}`,
      email: `payee${i}@example.com`,
      bank_account: {
        brand: 'bbl',
        number: `12345678${String(i).padStart(2, '0')}`,
        name: `Payee ${i}`,
      },
    });
    summary.recipients++;
    actions.verifyRecipient(idOf(recipient));
    if (i === count - 1 && count > 1) actions.destroyRecipient(idOf(recipient));

    actions.createLink({
      amount: 50_000 + i * 100,
      currency: 'THB',
      title: `Link ${i}`,
      description: 'Demo payment link',
    });
    summary.links++;
  }
}

export interface SeedOptions {
  charges: number;
  /** Share (0..1) of charges with a refund. @defaultValue 0.1 */
  refundShare?: number;
  /** Share (0..1) of charges with a dispute (open, pending, won or lost). @defaultValue 0.02 */
  disputeShare?: number;
  /** Deliver the events to the webhooks too. @defaultValue false */
  webhooks?: boolean;
  seed?: string | number;
}

/**
 * Bulk-creates charges fast (for backfill benchmarks): no HTTP and no per-charge tokens (one
 * customer's card), but the same state methods and events as the API; webhooks are off unless
 * asked for. Works in chunks so the server keeps answering meanwhile.
 */
export async function seedCharges(
  emulator: EmulatorAccount,
  options: SeedOptions,
): Promise<ScenarioSummary> {
  const random = createSeededRandom(options.seed);
  const summary = emptySummary();
  const started = Date.now();
  const eventsBefore = emulator.count('events');
  const refundShare = options.refundShare ?? 0.1;
  const disputeShare = options.disputeShare ?? 0.02;
  const { actions } = emulator;
  const run = <T>(fn: () => T): T =>
    options.webhooks === true ? fn() : emulator.withoutWebhooks(fn);
  const customer = run(() =>
    actions.createCustomer({
      email: 'bulk-seed@example.com',
      description: 'bulk seed customer',
      card: idOf(actions.createToken(card('4242424242424242', random))),
    }),
  );
  const customerId = idOf(customer);
  const chunk = 2_000;
  for (let offset = 0; offset < options.charges; offset += chunk) {
    run(() => {
      for (let i = offset; i < Math.min(options.charges, offset + chunk); i++) {
        const charge = actions.createCharge({
          amount: random.int(20, 5000) * 100,
          currency: 'THB',
          customer: customerId,
          description: `Order #${i}`,
          metadata: { order_id: `SEED-${i}` },
        });
        summary.charges++;
        summary.successful++;
        const id = idOf(charge);
        if (random.chance(refundShare)) {
          actions.createRefund(id, { amount: Math.floor(Number(charge.amount) / 2) });
          summary.refunds++;
        }
        if (random.chance(disputeShare)) {
          const disputeId = idOf(actions.createDispute(id, { reason_code: random.pick(REASONS) }));
          summary.disputes++;
          const roll = random.next();
          if (roll < 0.25) summary.disputesLeftOpen++;
          else if (roll < 0.5) {
            actions.updateDispute(disputeId, { message: 'Evidence submitted.' });
            summary.disputesLeftOpen++;
          } else if (roll < 0.75) {
            actions.closeDispute(disputeId, { status: 'won' });
            summary.disputesWon++;
          } else {
            actions.acceptDispute(disputeId);
            summary.disputesAccepted++;
          }
        }
      }
    });
    await new Promise((resolve) => setImmediate(resolve));
  }
  summary.events = emulator.count('events') - eventsBefore;
  summary.durationMs = Date.now() - started;
  return summary;
}
