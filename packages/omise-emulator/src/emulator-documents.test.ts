import { type Emulator, startEmulator } from './index';
import { api, createDispute, type JsonObject } from '../test/emulator-test-kit';

let emulator: Emulator;
let disputeId: string;

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(64, 1),
]);
const JPG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 2)]);
const PDF = Buffer.from('%PDF-1.4\n%%EOF\n', 'latin1');

function form(
  file: Buffer | null,
  filename: string,
  type: string,
  extra: Record<string, string> = {},
): FormData {
  const data = new FormData();
  for (const [k, v] of Object.entries(extra)) data.append(k, v);
  if (file !== null) data.append('file', new Blob([file], { type }), filename);
  return data;
}

const upload = (multipart: FormData, id = disputeId) =>
  api(emulator, 'POST', `/disputes/${id}/documents`, { multipart });

beforeEach(async () => {
  emulator = await startEmulator({ seed: 'documents' });
  disputeId = String((await createDispute(emulator)).id);
});
afterEach(async () => {
  await emulator.close();
});

test.each([
  ['receipt.png', PNG, 'image/png'],
  ['photo.jpg', JPG, 'image/jpeg'],
  ['proof.pdf', PDF, 'application/pdf'],
])(
  'uploading %s is accepted, listed on the dispute and downloadable',
  async (filename, content, type) => {
    const res = await upload(form(content, filename, type, { kind: 'proof_of_receipt' }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      object: 'document',
      filename,
      kind: 'proof_of_receipt',
      deleted: false,
      livemode: false,
      location: `/disputes/${disputeId}/documents/${String(res.body.id)}`,
    });
    expect(String(res.body.id)).toMatch(/^docu_test_[0-9a-z]{19}$/);
    const dispute = await api(emulator, 'GET', `/disputes/${disputeId}`);
    expect((dispute.body.documents as JsonObject).total).toBe(1);
    const download = await fetch(String(res.body.download_uri), {
      headers: {
        authorization: `Basic ${Buffer.from(`${emulator.secretKey}:`).toString('base64')}`,
      },
    });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(content)).toBe(true);
  },
);

test('documents are listed, retrieved and deleted; a deleted one is gone', async () => {
  const a = await upload(form(PDF, 'a.pdf', 'application/pdf'));
  const b = await upload(form(PNG, 'b.png', 'image/png'));
  expect(a.body.kind).toBeNull();
  const list = await api(emulator, 'GET', `/disputes/${disputeId}/documents`);
  expect(list.body).toMatchObject({ object: 'list', total: 2 });
  const one = await api(emulator, 'GET', `/disputes/${disputeId}/documents/${String(a.body.id)}`);
  expect(one.body).toEqual(a.body);
  const deleted = await api(
    emulator,
    'DELETE',
    `/disputes/${disputeId}/documents/${String(a.body.id)}`,
  );
  expect(deleted.body).toEqual({
    object: 'document',
    id: a.body.id,
    livemode: false,
    deleted: true,
  });
  const gone = await api(emulator, 'GET', `/disputes/${disputeId}/documents/${String(a.body.id)}`);
  expect(gone.status).toBe(404);
  const after = await api(emulator, 'GET', `/disputes/${disputeId}/documents`);
  expect((after.body.data as JsonObject[]).map((d) => d.id)).toEqual([b.body.id]);
});

test('a missing file, an empty file and a non-multipart body are 400 bad_request', async () => {
  const missing = await upload(form(null, '', '', { kind: 'proof_of_receipt' }));
  expect(missing.status).toBe(400);
  expect(missing.body.code).toBe('bad_request');
  const empty = await upload(form(Buffer.alloc(0), 'empty.pdf', 'application/pdf'));
  expect(empty.status).toBe(400);
  expect(empty.body).toMatchObject({ code: 'bad_request', message: 'file is empty' });
  const notMultipart = await api(emulator, 'POST', `/disputes/${disputeId}/documents`, {
    form: { file: 'x' },
  });
  expect(notMultipart.status).toBe(400);
});

test('a part declared as another type is 400 invalid_file_type (as recorded), whatever its bytes', async () => {
  for (const type of ['text/plain', 'application/octet-stream', 'image/gif']) {
    const res = await upload(form(PNG, 'receipt.png', type, { kind: 'proof_of_receipt' }));
    expect({ type, status: res.status }).toEqual({ type, status: 400 });
    expect(res.body).toMatchObject({ code: 'invalid_file_type', message: 'invalid content-type' });
  }
  // `image/jpg` is not registered but is what many clients send for a JPEG.
  expect((await upload(form(JPG, 'photo.jpg', 'image/jpg'))).status).toBe(200);
});

test('bytes that are not PNG, JPEG or PDF are 422 invalid_file_type, whatever the declared type or name', async () => {
  const named = await upload(form(Buffer.from('just text\n'), 'receipt.png', 'image/png'));
  expect(named.status).toBe(422);
  expect(named.body).toMatchObject({
    object: 'error',
    code: 'invalid_file_type',
    message: 'file is not a PNG, JPEG or PDF',
  });
  const markdown = await upload(form(Buffer.from('# README\n'), 'README.pdf', 'application/pdf'));
  expect(markdown.status).toBe(422);
  const list = await api(emulator, 'GET', `/disputes/${disputeId}/documents`);
  expect(list.body).toMatchObject({ total: 0 });
});

test('an unknown kind is 400 bad_request', async () => {
  const res = await upload(form(PDF, 'a.pdf', 'application/pdf', { kind: 'selfie' }));
  expect(res.status).toBe(400);
  expect(res.body).toMatchObject({
    code: 'bad_request',
    message: expect.stringMatching(/^kind must be one of cardholder_details, /) as unknown,
  });
});

test('a file over 10 MB is 413 file_too_large', async () => {
  const big = Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024, 0x20)]);
  const res = await upload(form(big, 'big.pdf', 'application/pdf'));
  expect(res.status).toBe(413);
  expect(res.body).toMatchObject({ object: 'error', code: 'file_too_large' });
});

test('once the dispute is no longer open its documents are locked', async () => {
  const doc = await upload(form(PDF, 'a.pdf', 'application/pdf'));
  await api(emulator, 'PATCH', `/disputes/${disputeId}`, { form: { message: 'submitted' } });
  const res = await upload(form(PDF, 'b.pdf', 'application/pdf'));
  expect(res.status).toBe(400);
  expect(res.body).toMatchObject({
    code: 'documents_locked',
    message: 'documents list cannot be modified',
  });
  const del = await api(
    emulator,
    'DELETE',
    `/disputes/${disputeId}/documents/${String(doc.body.id)}`,
  );
  expect(del.body.code).toBe('documents_locked');
  const unknown = await upload(form(PDF, 'a.pdf', 'application/pdf'), 'dspt_test_missing');
  expect(unknown.status).toBe(404);
});
