import {
  Charge,
  Dispute,
  DisputeDocument,
  OmiseAuthenticationError,
  OmiseErrorBody,
  OmiseEvent,
  OmiseInvalidRequestError,
  OmiseNotFoundError,
  OmiseRateLimitError,
  OmiseServerError,
  Refund,
  Token,
  createOmiseClient,
  type OmiseClient,
} from '@omise-sync/omise-client';
import { type Emulator, startEmulator } from './index';
import { startWebhookSink, type WebhookSink } from '../test/emulator-test-kit';

/**
 * The client and the emulator test each other: every call goes through @omise-sync/omise-client
 * (which validates each response with its zod schemas) and every object is parsed again with
 * the client's exported schemas.
 */
let emulator: Emulator;
let client: OmiseClient;
let sink: WebhookSink;

const card = (number = '4242424242424242') => ({
  name: 'Somchai Prasert',
  number,
  expiration_month: 12,
  expiration_year: 2035,
  security_code: '123',
});

beforeAll(async () => {
  sink = await startWebhookSink();
  emulator = await startEmulator({
    seed: 'client',
    webhooks: [{ url: sink.url, secrets: [Buffer.from('client').toString('base64')] }],
  });
  client = createOmiseClient({
    secretKey: emulator.secretKey,
    publicKey: emulator.publicKey,
    baseUrl: emulator.url,
    vaultUrl: emulator.url,
    maxRetries: 0,
  });
});
afterAll(async () => {
  await emulator.close();
  await sink.close();
});

async function paidCharge(): Promise<Charge> {
  const token = await client.tokens.create(card());
  return client.charges.create({ amount: 100_000, currency: 'thb', card: token.id });
}

test('tokens and charges: create, retrieve, update, list, and every state transition', async () => {
  const token = await client.tokens.create(card());
  Token.parse(token);
  const charge = await client.charges.create({
    amount: 100_000,
    currency: 'thb',
    card: token.id,
    description: 'Order-1',
    metadata: { order_id: 'ORD-1' },
  });
  expect(Charge.parse(emulator.getCharge(charge.id))).toMatchObject({
    id: charge.id,
    status: 'successful',
  });
  expect((await client.charges.retrieve(charge.id)).id).toBe(charge.id);
  expect((await client.charges.update(charge.id, { description: 'changed' })).description).toBe(
    'changed',
  );

  const failed = await client.charges.create({
    amount: 5_000,
    currency: 'thb',
    card: (await client.tokens.create(card('4111111111140011'))).id,
  });
  expect(failed).toMatchObject({ status: 'failed', failure_code: 'insufficient_fund' });

  const preauth = async (): Promise<Charge> =>
    client.charges.create({
      amount: 100_000,
      currency: 'thb',
      card: (await client.tokens.create(card())).id,
      capture: false,
    });
  expect(
    (await client.charges.capture((await preauth()).id, { capture_amount: 50_000 })).status,
  ).toBe('successful');
  expect((await client.charges.reverse((await preauth()).id)).status).toBe('reversed');
  expect((await client.charges.expire((await preauth()).id)).status).toBe('expired');
  expect((await client.charges.markAsPaid((await preauth()).id)).status).toBe('successful');
  expect((await client.charges.markAsFailed((await preauth()).id)).status).toBe('failed');

  const ids: string[] = [];
  for await (const c of client.charges.list({ limit: 3 })) ids.push(c.id);
  expect(ids).toHaveLength(emulator.count('charges'));
  const events = [];
  for await (const e of client.charges.listEvents(charge.id)) events.push(e.key);
  expect(events).toEqual(['charge.create', 'charge.update']);
});

test('refunds: create, list and retrieve', async () => {
  const charge = await paidCharge();
  const refund = await client.refunds.create(charge.id, {
    amount: 10_000,
    metadata: { reason: 'x' },
  });
  Refund.parse(emulator.getRefund(refund.id));
  const listed = [];
  for await (const r of client.refunds.list(charge.id)) listed.push(r.id);
  expect(listed).toEqual([refund.id]);
  expect((await client.refunds.retrieve(charge.id, refund.id)).amount).toBe(10_000);
});

test('disputes and documents: the whole lifecycle', async () => {
  const dispute = await client.disputes.create((await paidCharge()).id);
  Dispute.parse(emulator.getDispute(dispute.id));
  const doc = await client.documents.upload(dispute.id, {
    filename: 'proof.pdf',
    content: Buffer.from('%PDF-1.4\n%%EOF\n'),
    kind: 'proof_of_receipt',
  });
  DisputeDocument.parse(doc);
  expect((await client.documents.retrieve(dispute.id, doc.id)).filename).toBe('proof.pdf');
  const docs = [];
  for await (const d of client.documents.list(dispute.id)) docs.push(d.id);
  expect(docs).toEqual([doc.id]);
  const extra = await client.documents.upload(dispute.id, {
    filename: 'extra.png',
    content: Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.alloc(8),
    ]),
  });
  expect((await client.documents.delete(dispute.id, extra.id)).deleted).toBe(true);

  expect((await client.disputes.update(dispute.id, { message: 'evidence' })).status).toBe(
    'pending',
  );
  const pending = [];
  for await (const d of client.disputes.list({ status: 'pending' })) pending.push(d.id);
  expect(pending).toContain(dispute.id);
  expect((await client.disputes.close(dispute.id, 'won')).status).toBe('won');
  const closed = [];
  for await (const d of client.disputes.list({ status: 'closed' })) closed.push(d.id);
  expect(closed).toContain(dispute.id);

  const other = await client.disputes.create((await paidCharge()).id);
  expect((await client.disputes.accept(other.id)).status).toBe('lost');
  expect((await client.disputes.retrieve(other.id)).message).toBe('Merchant accepts the dispute');
});

test('a refused upload is an OmiseInvalidRequestError (or not found) carrying the status and code', async () => {
  const dispute = await client.disputes.create((await paidCharge()).id);
  const pdf = Buffer.from('%PDF-1.4\n%%EOF\n');
  const refusal = (upload: Promise<unknown>) =>
    upload.then(
      () => 'accepted',
      (error: unknown) =>
        error instanceof OmiseInvalidRequestError || error instanceof OmiseNotFoundError
          ? { type: error.name, status: error.status, code: error.code }
          : error,
    );
  const text = Buffer.from('not an image\n');
  expect(
    await refusal(client.documents.upload(dispute.id, { filename: 'a.png', content: text })),
  ).toEqual({ type: 'OmiseInvalidRequestError', status: 422, code: 'invalid_file_type' });
  expect(
    await refusal(
      client.documents.upload(dispute.id, {
        filename: 'a.pdf',
        content: pdf,
        contentType: 'text/plain',
      }),
    ),
  ).toEqual({ type: 'OmiseInvalidRequestError', status: 400, code: 'invalid_file_type' });
  expect(
    await refusal(
      client.documents.upload(dispute.id, { filename: 'a.pdf', content: pdf, kind: 'selfie' }),
    ),
  ).toEqual({ type: 'OmiseInvalidRequestError', status: 400, code: 'bad_request' });
  expect(
    await refusal(
      client.documents.upload('dspt_test_nosuchdispute', { filename: 'a.pdf', content: pdf }),
    ),
  ).toEqual({ type: 'OmiseNotFoundError', status: 404, code: 'not_found' });
  await client.disputes.close(dispute.id, 'lost');
  expect(
    await refusal(client.documents.upload(dispute.id, { filename: 'a.pdf', content: pdf })),
  ).toEqual({ type: 'OmiseInvalidRequestError', status: 400, code: 'documents_locked' });
  // Over 10 MB the client refuses before sending (the emulator's 413 is tested with raw HTTP).
  await expect(
    client.documents.upload(dispute.id, {
      filename: 'big.pdf',
      content: Buffer.alloc(11 * 1024 * 1024),
    }),
  ).rejects.toThrow(RangeError);
});

test('events: every event through the Events API and every webhook body parse as OmiseEvent', async () => {
  const seen: string[] = [];
  for await (const event of client.events.list({ limit: 100 })) seen.push(event.id);
  expect(seen).toHaveLength(emulator.count('events'));
  const first = seen[0];
  if (first === undefined) throw new Error('no events');
  expect((await client.events.retrieve(first)).id).toBe(first);
  for (const event of emulator.listAll('events')) OmiseEvent.parse(event);
  await emulator.deliveries.idle();
  expect(sink.received.length).toBe(emulator.count('events'));
  for (const delivery of sink.received) OmiseEvent.parse(delivery.event);
});

test("emulator errors become the client's typed errors", async () => {
  await expect(client.charges.retrieve('chrg_test_missing')).rejects.toBeInstanceOf(
    OmiseNotFoundError,
  );
  const captured = await paidCharge();
  const reverse = client.charges.reverse(captured.id);
  await expect(reverse).rejects.toBeInstanceOf(OmiseInvalidRequestError);
  await expect(reverse).rejects.toMatchObject({ status: 400, code: 'failed_reverse' });
  const wrongKey = createOmiseClient({
    secretKey: 'skey_test_wrong',
    baseUrl: emulator.url,
    maxRetries: 0,
  });
  await expect(wrongKey.charges.retrieve(captured.id)).rejects.toBeInstanceOf(
    OmiseAuthenticationError,
  );

  emulator.setFaults({ rateLimitShare: 1 });
  try {
    await expect(client.charges.retrieve(captured.id)).rejects.toBeInstanceOf(OmiseRateLimitError);
  } finally {
    emulator.setFaults({ rateLimitShare: 0 });
  }
  emulator.setFaults({ serverErrorShare: 1 });
  try {
    for (let i = 0; i < 6; i++) {
      await expect(client.charges.retrieve(captured.id)).rejects.toBeInstanceOf(OmiseServerError);
    }
  } finally {
    emulator.setFaults({ serverErrorShare: 0 });
  }
  const unauthenticated = await fetch(`${emulator.url}/charges`);
  expect(OmiseErrorBody.parse(await unauthenticated.json())).toMatchObject({
    code: 'authentication_failure',
  });
});
