import { isDatabaseUnavailable } from './database-errors';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('isDatabaseUnavailable', () => {
  it.each<[string, unknown, boolean]>([
    ['connection refused', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'), true],
    ['a dropped connection', new Error('Connection terminated unexpectedly'), true],
    ['an administrator shutdown', withCode('terminating connection', '57P01'), true],
    ['a server starting up', withCode('the database system is starting up', '57P03'), true],
    ['a class 08 connection exception', withCode('connection failure', '08006'), true],
    ['too many connections', withCode('too many clients', '53300'), true],
    [
      'refusals on every address (AggregateError)',
      new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')]),
      true,
    ],
    ['a wrapped cause', new Error('query failed', { cause: withCode('x', 'ECONNRESET') }), true],
    ['a unique violation', withCode('duplicate key', '23505'), false],
    ['a syntax error', withCode('syntax error', '42601'), false],
    ['a plain error', new Error('boom'), false],
    ['not an error', 'ECONNREFUSED', false],
  ])('%s → %s', (_what, error, expected) => {
    expect(isDatabaseUnavailable(error)).toBe(expected);
  });
});
