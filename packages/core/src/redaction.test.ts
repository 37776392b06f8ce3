import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createLogger, REDACT_PATHS, REDACTION_CENSOR } from './logger';
import { compileRedaction, parseRedactionPath, RedactionPathError } from './redaction';

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

describe('parseRedactionPath', () => {
  it.each([
    ['card', ['card']],
    ['*.secretKey', ['*', 'secretKey']],
    ['req.headers["omise-signature"]', ['req', 'headers', 'omise-signature']],
    ["a['b.c'].d", ['a', 'b.c', 'd']],
    ['items[0].card', ['items', '0', 'card']],
    ['a.*.b', ['a', '*', 'b']],
  ])('reads %s', (path, segments) => {
    expect(parseRedactionPath(path)).toEqual(segments);
  });

  it.each(['', 'a..b', 'a.', '.a', 'a[b]', 'a["b"', 'a b'])(
    'refuses %j instead of silently redacting nothing',
    (path) => {
      expect(() => parseRedactionPath(path)).toThrow(RedactionPathError);
    },
  );
});

describe('compileRedaction', () => {
  const redact = compileRedaction(REDACT_PATHS, C);

  it('returns the very same object when there is nothing to censor', () => {
    const line = { requestId: 'r1', eventId: 'evnt_1', nested: { id: 'x' }, list: [1, 2] };
    expect(redact(line)).toBe(line);
  });

  it('censors top-level, wildcard and exact nested paths without touching the original', () => {
    const original = {
      card: { last_digits: '4242' },
      config: { secretKey: 'skey_test_1', keep: 1 },
      verification: { secrets: ['a', 'b'], password: 'pw', authorization: 'Basic x' },
      req: { headers: { 'omise-signature': 'abc', 'content-type': 'application/json' } },
      secretKey: 'skey_test_2',
    };
    const snapshot = structuredClone(original);
    expect(redact(original)).toEqual({
      card: C,
      config: { secretKey: C, keep: 1 },
      verification: { secrets: C, password: C, authorization: C },
      req: { headers: { 'omise-signature': C, 'content-type': 'application/json' } },
      secretKey: C,
    });
    expect(original).toEqual(snapshot);
  });

  it('shares the parts it did not change', () => {
    const untouched = { id: 'x' };
    const redacted = redact({ untouched, config: { secret: 's' } });
    expect(redacted.untouched).toBe(untouched);
  });

  it('applies a wildcard to array elements and to keys that also have an exact path', () => {
    const only = compileRedaction(['list.*.token', 'a.b', '*.b'], C);
    expect(only({ list: [{ token: 't', id: 1 }, { id: 2 }], a: { b: 1, c: 2 } })).toEqual({
      list: [{ token: C, id: 1 }, { id: 2 }],
      a: { b: C, c: 2 },
    });
  });

  it('keeps an Error an Error (with its message and stack) while censoring its fields', () => {
    const error = Object.assign(new Error('boom'), { secretKey: 'skey_test_3' });
    const redacted = redact({ err: error });
    expect(redacted.err).toBeInstanceOf(Error);
    expect(redacted.err.message).toBe('boom');
    expect(redacted.err.stack).toBe(error.stack);
    expect(redacted.err.secretKey).toBe(C);
    expect(error.secretKey).toBe('skey_test_3');
  });

  it('leaves primitives, null and missing keys alone', () => {
    expect(redact('card')).toBe('card');
    expect(redact(null)).toBeNull();
    expect(redact({ config: null, card: undefined })).toEqual({ config: null, card: undefined });
  });
});

describe('createLogger redaction', () => {
  // pino's own `redact` option with the same paths is the reference: our lines must match its.
  const reference = (stream: Writable) =>
    pino(
      {
        base: { service: 'test' },
        timestamp: false,
        formatters: { level: (label) => ({ level: label }) },
        redact: { paths: REDACT_PATHS, censor: C },
      },
      stream,
    );

  const samples: [string, Record<string, unknown>][] = [
    ['plain fields', { requestId: 'r', eventId: 'e', enqueueMs: 1.25, ok: true }],
    ['a card', { card: { number: '4242424242424242', last_digits: '4242' } }],
    ['a nested card', { charge: { id: 'chrg_1', card: { last_digits: '4242' } } }],
    ['nested secrets', { config: { secretKey: 'skey', secrets: ['a'], password: 'p' } }],
    [
      'signature headers',
      {
        req: { headers: { 'omise-signature': 's', 'omise-signature-timestamp': '1', cookie: 'c' } },
        headers: { authorization: 'Basic x', 'omise-signature': 's', accept: '*/*' },
      },
    ],
    ['top-level secrets', { secretKey: 'skey', secrets: ['a', 'b'], keep: 'yes' }],
  ];

  it.each(samples)('writes the same line as pino redact for %s', (_name, fields) => {
    const ours = lineSink();
    const theirs = lineSink();
    const logger = createLogger({ name: 'test', destination: ours.stream });
    logger.info(fields, 'line');
    reference(theirs.stream).info(fields, 'line');
    const { time: _time, pid: _pid, hostname: _host, ...line } = ours.lines[0] ?? {};
    const { pid: _pid2, hostname: _host2, ...expected } = theirs.lines[0] ?? {};
    expect(line).toEqual(expected);
  });

  it("censors a child's bindings", () => {
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
