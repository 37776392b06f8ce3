import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { useTestDatabase, useTestRedis } from '@omise-sync/testing';

const ROOT = join(__dirname, '..', '..', '..');

/** `npm run dev -- …` from the repository root, as the README has users run it. */
function npmRunDev(env: NodeJS.ProcessEnv, ...argv: string[]) {
  // Variables a parent npm (`npm test`) exported would override the repository's .npmrc, and
  // Omise settings of the caller's shell would override the demo's own accounts.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !name.toLowerCase().startsWith('npm_') && !name.startsWith('OMISE_'),
    ),
  );
  const child = spawn('npm', ['run', 'dev', '--', ...argv], {
    cwd: ROOT,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run dev -- --accounts 2', () => {
  const database = useTestDatabase();
  const redis = useTestRedis();

  it('both accounts flow into one database, settle, and match the Omise API', async () => {
    const run = await npmRunDev(
      {
        DATABASE_URL: database.url,
        REDIS_URL: redis.url,
        LOG_LEVEL: 'warn',
      },
      '--accounts',
      '2',
      '--charges',
      '12',
      // Slow enough that the charges span a few seconds: a payout settles what became
      // transferable in the whole seconds before it.
      '--rate',
      '5',
      '--dispute-share',
      '0.25',
      '--payout-every',
      '5',
      '--timeout',
      '240',
    );

    expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({
      code: 0,
      stderr: '',
    });
    expect(run.stdout).toMatch(/== summary \([\d.]+ s, settled\)/);
    // Payouts in both accounts, each settling exactly what it paid out; the balance rolls forward.
    expect(run.stdout).toMatch(/payouts reconcile and the balance rolls forward: no differences/);
    expect(run.stdout).toMatch(/^default\s+[1-9]\d*\s+0\s+1\s+0\s*$/m);
    expect(run.stdout).toMatch(/^account-2\s+[1-9]\d*\s+0\s+1\s+0\s*$/m);
    // Every resource of each account matches Omise: the matching column equals the omise column.
    const checks = [
      ...run.stdout.matchAll(/^(default|account-2)\s+(\S+(?: \S+)?)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/gm),
    ];
    expect(checks.map((m) => `${m[1]} ${m[2]}`)).toEqual(
      expect.arrayContaining([
        'default charges',
        'account-2 charges',
        'default disputes',
        'account-2 disputes',
      ]),
    );
    for (const [line, , resource, omise, postgres, matching] of checks) {
      if (resource === 'refunded amount')
        expect({ line, same: omise === postgres }).toEqual({ line, same: true });
      else expect({ line, matching }).toEqual({ line, matching: omise });
    }

    const rows = await database.handle.db
      .selectFrom('omise.charges')
      .select(['account', (eb) => eb.fn.countAll<string>().as('n')])
      .groupBy('account')
      .orderBy('account')
      .execute();
    // The scenario's 12 charges and the first run of its one schedule.
    expect(rows.map((r) => [r.account, Number(r.n)])).toEqual([
      ['account-2', 13],
      ['default', 13],
    ]);
    // Its customer (with cards), schedule, recipient and link reach each account too.
    for (const table of [
      'omise.customers',
      'omise.cards',
      'omise.schedules',
      'omise.schedule_occurrences',
      'omise.recipients',
      'omise.links',
    ] as const) {
      const perAccount = await database.handle.db
        .selectFrom(table)
        .select(['account', (eb) => eb.fn.countAll<string>().as('n')])
        .groupBy('account')
        .orderBy('account')
        .execute();
      expect({ table, accounts: perAccount.map((r) => r.account) }).toEqual({
        table,
        accounts: ['account-2', 'default'],
      });
    }
    const failed = await database.handle.db
      .selectFrom('omise.events')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('outcome', 'in', ['failed', 'not_found'])
      .executeTakeFirstOrThrow();
    expect(Number(failed.n)).toBe(0);
  }, 420_000);
});
