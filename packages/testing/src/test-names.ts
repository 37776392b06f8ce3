import { randomBytes } from 'node:crypto';

/** Environment variables globalSetup hands to every test worker. */
export const TEST_RUN_ENV = 'OMISE_SYNC_TEST_RUN';
export const TEST_TEMPLATE_ENV = 'OMISE_SYNC_TEST_TEMPLATE';

/** A short random id, safe in database names and Redis keys. */
export function randomId(bytes = 4): string {
  return randomBytes(bytes).toString('hex');
}

export function templateDatabaseName(runId: string): string {
  return `omise_sync_tpl_${runId}`;
}

/** Prefix of every database one test run creates, so teardown can find leftovers. */
export function testDatabasePrefix(runId: string): string {
  return `omise_sync_test_${runId}_`;
}

/** The same server, another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export function requireTestEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(
      `${name} is not set: this test must run under the omise-sync jest preset (its globalSetup prepares the databases)`,
    );
  }
  return value;
}
