import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { disputeRow, useTestDatabase } from '@omise-sync/testing';

const ROOT = join(__dirname, '..', '..', '..');

describe('npm run cli -- … --json', () => {
  const database = useTestDatabase();

  /** `npm run cli -- …` from the repository root, as a script would call it. */
  function npmRunCli(...argv: string[]) {
    // Variables a parent npm (`npm test`) exported would override the repository's .npmrc.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')),
    );
    return spawnSync('npm', ['run', 'cli', '--', ...argv], {
      cwd: ROOT,
      env: {
        ...env,
        DATABASE_URL: database.url,
        OMISE_SECRET_KEY: 'skey_test_npmruncli',
        // Never reached: `disputes list` reads Postgres only.
        OMISE_API_URL: 'http://127.0.0.1:9',
        LOG_LEVEL: 'silent',
      },
      encoding: 'utf8',
      timeout: 240_000,
    });
  }

  it('stdout carries only the JSON: npm banner and build output go to stderr', async () => {
    const opened = new Date();
    await database.handle.db
      .insertInto('omise.disputes')
      .values(
        disputeRow({
          id: 'dspt_test_npmruncli',
          charge_id: 'chrg_test_npmruncli',
          amount: 120_000,
          created_at: opened,
          respond_by: new Date(opened.getTime() + 7 * 24 * 3_600_000),
          origin: 'reconcile',
          observed_at: opened,
        }),
      )
      .execute();

    const run = npmRunCli('disputes', 'list', '--open', '--json');
    expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({
      status: 0,
      stderr: '',
    });
    expect(JSON.parse(run.stdout)).toEqual([
      expect.objectContaining({ id: 'dspt_test_npmruncli', status: 'open', currency: 'THB' }),
    ]);
    expect(run.stderr).toMatch(/^> cli$/m);
  }, 300_000);

  it('when the command fails, stdout has no banner and the reason is on stderr', () => {
    const run = npmRunCli('disputes', 'show', 'not-a-dispute', '--json');
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^"not-a-dispute" is not a dispute id \(dspt_…\)$/m);
    // npm itself reports the failed script; in json mode that report is JSON too.
    if (run.stdout.trim() !== '') expect(() => JSON.parse(run.stdout) as unknown).not.toThrow();
  }, 300_000);
});
