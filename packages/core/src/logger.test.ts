import { execFile } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createLogger, REDACTION_CENSOR } from './logger';

const C = REDACTION_CENSOR;

/** A stream collecting every line written to it, parsed. */
function lineSink(): { stream: Writable; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { stream, lines };
}

describe('createLogger', () => {
  it('writes JSON lines with the service, the level as a word and an ISO time', () => {
    const sink = lineSink();
    createLogger({ name: 'test', destination: sink.stream }).info({ eventId: 'e' }, 'hello');
    expect(sink.lines[0]).toMatchObject({ service: 'test', level: 'info', eventId: 'e' });
    expect(sink.lines[0]?.['time']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    [
      'a card, top-level and nested',
      { card: { last_digits: '4242' }, charge: { id: 'chrg_1', card: { last_digits: '4242' } } },
      { card: C, charge: { id: 'chrg_1', card: C } },
    ],
    [
      'nested secrets',
      { config: { secretKey: 'skey', secrets: ['a'], password: 'p', keep: 1 } },
      { config: { secretKey: C, secrets: C, password: C, keep: 1 } },
    ],
    [
      'signature and credential headers',
      {
        req: { headers: { 'omise-signature': 's', 'omise-signature-timestamp': '1', cookie: 'c' } },
        headers: { authorization: 'Basic x', 'omise-signature': 's', accept: '*/*' },
      },
      {
        req: { headers: { 'omise-signature': C, 'omise-signature-timestamp': C, cookie: C } },
        headers: { authorization: C, 'omise-signature': C, accept: '*/*' },
      },
    ],
    [
      'top-level secrets',
      { secretKey: 'skey', secrets: ['a', 'b'], keep: 'yes' },
      { secretKey: C, secrets: C, keep: 'yes' },
    ],
  ])('censors %s', (_situation, fields, expected) => {
    const sink = lineSink();
    createLogger({ name: 'test', destination: sink.stream }).info(fields, 'line');
    expect(sink.lines[0]).toMatchObject(expected);
  });

  it("censors a child's and a grandchild's bindings", () => {
    const sink = lineSink();
    const logger = createLogger({ name: 'test', destination: sink.stream });
    const child = logger.child({ secretKey: 'skey_test_4', job: { card: { last_digits: '1' } } });
    child.info('hi');
    child.child({ config: { password: 'pw' } }).info('grandchild');
    expect(sink.lines[0]).toMatchObject({ secretKey: C, job: { card: C }, msg: 'hi' });
    expect(sink.lines[1]).toMatchObject({ secretKey: C, config: { password: C } });
    expect(JSON.stringify(sink.lines)).not.toMatch(/skey_test_4|last_digits|"pw"/);
  });

  it("censors an error's secret fields and still serialises the error", () => {
    const sink = lineSink();
    const logger = createLogger({ name: 'test', destination: sink.stream });
    logger.error({ err: Object.assign(new Error('boom'), { secretKey: 'skey_test_5' }) }, 'failed');
    expect(sink.lines[0]).toMatchObject({
      err: { type: 'Error', message: 'boom', secretKey: C },
    });
    expect(JSON.stringify(sink.lines[0])).not.toContain('skey_test_5');
  });
});

describe('the default stdout destination', () => {
  const fixture = path.join(__dirname, '..', 'test', 'log-then-exit.fixture.ts');

  const run = (mode: string) =>
    new Promise<{ code: number | null; lines: { line?: number; msg?: string }[] }>((resolve) => {
      execFile(
        process.execPath,
        ['--conditions=@omise-sync/source', '--require', 'tsx/cjs', fixture, mode],
        { timeout: 20_000 },
        (error, stdout) => {
          const lines = stdout
            .split('\n')
            .filter((line) => line.startsWith('{'))
            .map((line) => JSON.parse(line) as { line?: number; msg?: string });
          resolve({ code: error === null ? 0 : (error.code as number | null), lines });
        },
      );
    });

  it.each([
    ['the loop empties', 'end', 0],
    ['process.exit() is called in the same turn', 'exit', 3],
    ['an exception goes uncaught in the same turn', 'throw', 1],
  ])('writes every line when %s', async (_situation, mode, code) => {
    const result = await run(mode);
    expect(result.code).toBe(code);
    expect(result.lines.map((line) => line.line)).toEqual([1, 2, 3]);
  });
});
