import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findDispute, findDisputeActions, findDisputeDocuments } from '@omise-sync/db';
import { createCardCharge, useTestDatabase } from '@omise-sync/testing';
import { type Emulator, startEmulator } from '@omise-sync/omise-emulator';
import { runCliInProcess } from '../../test/run-cli-in-process';

/** A real 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n');

/**
 * An HTTP server on port 0 in front of the emulator that changes the next document uploads
 * (one rewrite each) before passing them on, so the emulator itself refuses what the desk's
 * own checks would never send.
 */
async function startUploadRewriter(
  target: string,
): Promise<{ url: string; rewrites: ((body: Buffer) => Buffer)[]; close(): Promise<void> }> {
  const rewrites: ((body: Buffer) => Buffer)[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body: Buffer = Buffer.concat(chunks);
      const rewrite =
        req.method === 'POST' && /^\/disputes\/[^/]+\/documents$/.test(req.url ?? '')
          ? rewrites.shift()
          : undefined;
      if (rewrite !== undefined) body = rewrite(body);
      const headers: Record<string, string> = {};
      for (const name of ['authorization', 'content-type', 'user-agent']) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      fetch(`${target}${req.url ?? '/'}`, {
        method: req.method ?? 'GET',
        headers,
        ...(body.length === 0 ? {} : { body }),
      })
        .then(async (answer) => {
          res.writeHead(answer.status, {
            'content-type': answer.headers.get('content-type') ?? 'application/json',
          });
          res.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch(() => res.destroy());
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    rewrites,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** `body` with the first `from` (latin1) replaced by `to`. */
function replaced(body: Buffer, from: string, to: string | Buffer): Buffer {
  const at = body.indexOf(from, 0, 'latin1');
  if (at < 0) throw new Error(`"${from}" is not in the upload`);
  return Buffer.concat([
    body.subarray(0, at),
    typeof to === 'string' ? Buffer.from(to, 'latin1') : to,
    body.subarray(at + from.length),
  ]);
}

describe('omise-sync disputes (the dispute desk) against the emulator', () => {
  const database = useTestDatabase();
  let emulator: Emulator;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let emulatorNow = Date.now();

  beforeAll(async () => {
    // Each dispute opens a minute after the previous one, so deadlines never tie.
    emulator = await startEmulator({ seed: 'cli-dispute-desk', now: () => emulatorNow });
    dir = mkdtempSync(join(tmpdir(), 'dispute-desk-'));
    env = {
      DATABASE_URL: database.url,
      OMISE_SECRET_KEY: emulator.secretKey,
      OMISE_API_URL: emulator.url,
      LOG_LEVEL: 'silent',
    };
  });
  afterAll(async () => {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the CLI in this process, as main.ts does, capturing what it prints. */
  const cli = Object.assign((...argv: string[]) => runCliInProcess(argv, env), {
    /** The same with some variables changed. */
    withEnv:
      (changes: NodeJS.ProcessEnv) =>
      (...argv: string[]) =>
        runCliInProcess(argv, { ...env, ...changes }),
  });

  function file(name: string, content: Buffer): string {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  }

  function openDispute(amount = 150_000): string {
    emulatorNow += 60_000;
    const charge = createCardCharge(emulator, { amount, currency: 'THB' });
    return String(emulator.actions.createDispute(String(charge['id']))['id']);
  }

  const documentsAtOmise = (disputeId: string) =>
    (emulator.getDispute(disputeId)?.['documents'] as { data: unknown[] }).data.length;

  it('when a real PNG is uploaded, it reaches Omise once, is re-projected and recorded with the actor', async () => {
    const disputeId = openDispute();
    const png = file('receipt.png', PNG);
    const run = await cli(
      'disputes',
      'upload',
      disputeId,
      '--kind',
      'proof_of_receipt',
      png,
      '--actor',
      'somchai',
      '--json',
    );
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const json = JSON.parse(run.stdout) as { document: { id: string; kind: string } };
    expect(json.document.kind).toBe('proof_of_receipt');
    expect(documentsAtOmise(disputeId)).toBe(1);
    const documents = await findDisputeDocuments(database.handle.db, disputeId);
    expect(documents.map((d) => [d.id, d.kind, d.deleted])).toEqual([
      [json.document.id, 'proof_of_receipt', false],
    ]);
    const [action] = await findDisputeActions(database.handle.db, disputeId);
    expect(action).toMatchObject({ action: 'upload', actor: 'somchai', result: 'ok' });
    expect(action?.sha256).toMatch(/^[0-9a-f]{64}$/);

    // The same bytes under another name are the same file.
    const again = await cli(
      'disputes',
      'upload',
      disputeId,
      '--kind',
      'proof_of_receipt',
      file('copy.png', PNG),
    );
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already uploaded to dspt_\w+ \(ok by somchai/);
    expect(documentsAtOmise(disputeId)).toBe(1);
  });

  it('when the file is not acceptable evidence or the kind is wrong, it exits 2 and nothing reaches Omise', async () => {
    const disputeId = openDispute();
    const requestsBefore = emulator.count('events');
    const cases: [string[], RegExp][] = [
      [
        ['--kind', 'proof_of_receipt', file('notes.png', Buffer.from('just text, not an image\n'))],
        /not a PNG, JPEG or PDF/,
      ],
      [
        [
          '--kind',
          'proof_of_receipt',
          file('big.pdf', Buffer.concat([PDF, Buffer.alloc(11 * 1024 * 1024, 0x20)])),
        ],
        /at most 10485760 \(10 MB\)/,
      ],
      [
        ['--kind', 'selfie', file('ok.pdf', PDF)],
        /--kind must be one of cardholder_details, details_of_purchase, proof_of_receipt, proof_of_acceptance, got "selfie"/,
      ],
      [['--kind', 'proof_of_receipt', join(dir, 'missing.pdf')], /no such file/],
      [[file('nokind.pdf', PDF)], /--kind must be one of/],
    ];
    for (const [args, message] of cases) {
      const run = await cli('disputes', 'upload', disputeId, ...args);
      expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(run.stderr).toMatch(message);
      expect(run.stderr.split('\n')).toHaveLength(1);
    }
    expect(documentsAtOmise(disputeId)).toBe(0);
    expect(emulator.count('events')).toBe(requestsBefore);
    expect(await findDisputeActions(database.handle.db, disputeId)).toEqual([]);
  });

  it('when the dispute is closed, upload, message and accept exit 2 and send nothing', async () => {
    const disputeId = openDispute();
    emulator.actions.closeDispute(disputeId, { status: 'won' });
    const upload = await cli(
      'disputes',
      'upload',
      disputeId,
      '--kind',
      'proof_of_receipt',
      file('late.pdf', PDF),
    );
    expect(upload.code).toBe(2);
    expect(upload.stderr).toBe(
      `${disputeId} is won: evidence can only be uploaded while it is open`,
    );
    expect((await cli('disputes', 'message', disputeId, '--text', 'hello')).code).toBe(2);
    expect((await cli('disputes', 'accept', disputeId, '--yes')).code).toBe(2);
    expect(documentsAtOmise(disputeId)).toBe(0);
    expect(await findDisputeActions(database.handle.db, disputeId)).toEqual([]);
    // The refusal was decided on the state just fetched, which is projected.
    expect((await findDispute(database.handle.db, disputeId))?.status).toBe('won');
  });

  it('when a message is sent, the dispute moves on at Omise and in Postgres and the action is recorded', async () => {
    const disputeId = openDispute();
    const run = await cli(
      'disputes',
      'message',
      disputeId,
      '--text',
      'Delivered; signed receipt attached.',
      '--json',
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      action: 'message',
      disputeId,
      status: 'pending',
    });
    expect(emulator.getDispute(disputeId)?.['message']).toBe('Delivered; signed receipt attached.');
    expect(await findDispute(database.handle.db, disputeId)).toMatchObject({
      status: 'pending',
      message: 'Delivered; signed receipt attached.',
    });
    const [action] = await findDisputeActions(database.handle.db, disputeId);
    expect(action).toMatchObject({
      action: 'message',
      result: 'ok',
      details: { characters: 35, status: 'pending' },
    });
    expect((await cli('disputes', 'message', disputeId)).code).toBe(2);
  });

  it('when documents are listed and one is deleted, Omise and Postgres both lose it', async () => {
    const disputeId = openDispute();
    expect(
      (
        await cli(
          'disputes',
          'upload',
          disputeId,
          '--kind',
          'details_of_purchase',
          file('invoice.pdf', PDF),
        )
      ).code,
    ).toBe(0);
    const listed = await cli('disputes', 'documents', disputeId, '--json');
    expect(listed.code).toBe(0);
    const [document] = JSON.parse(listed.stdout) as { id: string; kind: string }[];
    expect(document?.kind).toBe('details_of_purchase');
    const documentId = document?.id ?? '';

    const deleted = await cli('disputes', 'delete-document', disputeId, documentId);
    expect(deleted).toMatchObject({ code: 0, stdout: `deleted ${documentId} from ${disputeId}` });
    expect(documentsAtOmise(disputeId)).toBe(0);
    const rows = await findDisputeDocuments(database.handle.db, disputeId);
    expect(rows.map((row) => [row.id, row.deleted])).toEqual([[documentId, true]]);
    const again = await cli('disputes', 'delete-document', disputeId, documentId);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/has no document/);
  });

  it('when accepting, it refuses without --yes, and with it the dispute closes as lost', async () => {
    const disputeId = openDispute();
    const refused = await cli('disputes', 'accept', disputeId);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/add --yes to confirm/);
    expect(emulator.getDispute(disputeId)?.['status']).toBe('open');

    const accepted = await cli('disputes', 'accept', disputeId, '--yes', '--actor', 'ops-lead');
    expect(accepted).toMatchObject({ code: 0, stdout: `accepted ${disputeId}; it is now lost` });
    expect(await findDispute(database.handle.db, disputeId)).toMatchObject({ status: 'lost' });
    expect(await findDisputeActions(database.handle.db, disputeId)).toEqual([
      expect.objectContaining({ action: 'accept', actor: 'ops-lead', result: 'ok' }),
    ]);
  });

  it('when Omise answers 404, it exits 1 showing its code and message', async () => {
    const run = await cli('disputes', 'show', 'dspt_test_nosuchdispute');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Omise error not_found \(HTTP 404\): .+/);
    const upload = await cli(
      'disputes',
      'upload',
      'dspt_test_nosuchdispute',
      '--kind',
      'proof_of_receipt',
      file('x.pdf', PDF),
    );
    expect(upload.code).toBe(1);
  });

  it('when Omise refuses an upload (413, 422, 400 invalid_file_type, bad kind, locked), it exits 1 with its code and message', async () => {
    const disputeId = openDispute();
    const rewriter = await startUploadRewriter(emulator.url);
    const cases: [string, (body: Buffer) => Buffer, number, string][] = [
      [
        'over 10 MB',
        (body) => replaced(body, '%PDF-1.4\n', Buffer.alloc(11 * 1024 * 1024, 0x25)),
        413,
        'file_too_large',
      ],
      ['not a PDF inside', (body) => replaced(body, '%PDF-', 'TEXT-'), 422, 'invalid_file_type'],
      [
        'declared as text',
        (body) => replaced(body, 'Content-Type: application/pdf', 'Content-Type: text/plain'),
        400,
        'invalid_file_type',
      ],
      ['unknown kind', (body) => replaced(body, 'proof_of_receipt', 'selfie'), 400, 'bad_request'],
      [
        'closed meanwhile',
        (body) => {
          emulator.actions.closeDispute(disputeId, { status: 'lost' });
          return body;
        },
        400,
        'documents_locked',
      ],
    ];
    const evidence = file('evidence.pdf', PDF);
    try {
      for (const [situation, rewrite, status, code] of cases) {
        rewriter.rewrites.push(rewrite);
        const run = await cli.withEnv({ OMISE_API_URL: rewriter.url })(
          'disputes',
          'upload',
          disputeId,
          '--kind',
          'proof_of_receipt',
          evidence,
          '--json',
        );
        expect({ situation, code: run.code, stdout: run.stdout }).toEqual({
          situation,
          code: 1,
          stdout: '',
        });
        expect(run.stderr).toMatch(
          new RegExp(`^Omise error ${code} \\(HTTP ${status}\\): Omise ${status} ${code}: \\S.*$`),
        );
      }
    } finally {
      await rewriter.close();
    }
    expect(documentsAtOmise(disputeId)).toBe(0);
    const actions = await findDisputeActions(database.handle.db, disputeId);
    expect(actions.map((action) => [action.result, action.error?.split(':')[0]])).toEqual(
      cases.map(([, , , code]) => ['failed', code]),
    );
  });

  it('lists disputes in deadline order, open ones only with --open, as JSON only on stdout', async () => {
    const first = openDispute(3_000);
    const second = openDispute(4_000);
    const closed = openDispute(5_000);
    for (const id of [second, first, closed])
      expect((await cli('disputes', 'show', id)).code).toBe(0);
    emulator.actions.closeDispute(closed, { status: 'lost' });
    expect((await cli('disputes', 'show', closed, '--json')).code).toBe(0);

    const run = await cli('disputes', 'list', '--open', '--json');
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout) as {
      id: string;
      status: string;
      respondBy: string;
      hoursLeft: number;
    }[];
    const ours = rows.filter((row) => [first, second, closed].includes(row.id));
    expect(ours.map((row) => row.id)).toEqual([first, second]);
    expect(rows.every((row) => row.status === 'open')).toBe(true);
    const deadlines = rows.map((row) => row.respondBy);
    expect([...deadlines].sort()).toEqual(deadlines);
    expect(ours[0]?.hoursLeft).toBeGreaterThan(7 * 24 - 1);

    const all = await cli('disputes', 'list', '--json');
    expect((JSON.parse(all.stdout) as { id: string }[]).map((row) => row.id)).toContain(closed);

    const shown = await cli('disputes', 'show', first, '--json');
    expect(JSON.parse(shown.stdout)).toMatchObject({
      id: first,
      status: 'open',
      documents: [],
      actions: [],
    });
  });

  it('when run as a process, an unknown option prints no stack trace and --json prints only JSON', () => {
    const main = join(__dirname, '..', 'main.ts');
    const run = (...argv: string[]) =>
      spawnSync(
        process.execPath,
        ['--conditions=@omise-sync/source', '--require', 'tsx/cjs', main, ...argv],
        { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 },
      );
    const bogus = run('reconcile', '--bogus');
    expect(bogus.status).toBe(2);
    expect(bogus.stdout).toBe('');
    expect(bogus.stderr).toMatch(/^Unknown option '--bogus'.*\n\nUsage: omise-sync reconcile/);
    expect(bogus.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?$/m);
    const list = run('disputes', 'list', '--json');
    expect(list.status).toBe(0);
    expect(Array.isArray(JSON.parse(list.stdout))).toBe(true);
  });
});
