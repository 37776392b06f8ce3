import { dropDatabase, withAdminClient } from './admin';
import { TEST_RUN_STATE_KEY, type TestRunState } from './global-setup';
import { testDatabasePrefix } from './test-names';

/**
 * Jest globalTeardown: drops the template and any database a crashed test file left behind,
 * then stops the containers globalSetup started (if any). No test database outlives the run.
 */
export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as Record<symbol, unknown>)[TEST_RUN_STATE_KEY] as
    TestRunState | undefined;
  if (state === undefined) return;
  try {
    await withAdminClient(state.adminUrl, async (client) => {
      const { rows } = await client.query<{ datname: string }>(
        'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
        [testDatabasePrefix(state.runId)],
      );
      for (const { datname } of rows) await dropDatabase(client, datname);
      await dropDatabase(client, state.template);
    });
  } finally {
    await state.services.stop();
  }
}
