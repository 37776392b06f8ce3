import { dropDatabase, withAdminClient } from './admin';
import { TEST_RUN_ENV, TEST_TEMPLATE_ENV, randomId, templateDatabaseName } from './test-names';
import { resolveTestServices, type StartedServices } from './test-services';

/** Handed from globalSetup to globalTeardown, which jest runs in the same process. */
export interface TestRunState {
  services: StartedServices;
  adminUrl: string;
  runId: string;
  template: string;
}

export const TEST_RUN_STATE_KEY = Symbol.for('omise-sync.test-run-state');

/**
 * Jest globalSetup: finds Postgres and Redis and names this run's template database. The first
 * test file that needs a database migrates the template (see ensureTemplate): globalSetup is
 * loaded by plain Node, which would take `@omise-sync/db` from its build, while test files load
 * the migrations from source.
 */
export default async function globalSetup(): Promise<void> {
  const services = await resolveTestServices(process.env);
  const runId = `${Date.now().toString(36)}${randomId(3)}`;
  const template = templateDatabaseName(runId);
  const adminUrl = services.databaseUrl;
  try {
    await withAdminClient(adminUrl, (client) => dropDatabase(client, template));
  } catch (error) {
    await services.stop();
    throw error;
  }

  // Test workers are forked after globalSetup, so they inherit these.
  process.env.DATABASE_URL = services.databaseUrl;
  process.env.REDIS_URL = services.redisUrl;
  process.env[TEST_RUN_ENV] = runId;
  process.env[TEST_TEMPLATE_ENV] = template;

  const state: TestRunState = { services, adminUrl, runId, template };
  (globalThis as Record<symbol, unknown>)[TEST_RUN_STATE_KEY] = state;
}
