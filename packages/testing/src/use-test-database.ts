import { afterAll, beforeAll } from '@jest/globals';
import { createDatabase, type DatabaseHandle } from '@omise-sync/db';
import { cloneDatabase, dropDatabase, quoteIdent, withAdminClient } from './admin';
import { ensureTemplate } from './template';
import {
  TEST_RUN_ENV,
  TEST_TEMPLATE_ENV,
  randomId,
  requireTestEnv,
  testDatabasePrefix,
  withDatabase,
} from './test-names';

/** A freshly migrated database that belongs to one test file. */
export interface TestDatabase {
  /** Connection string of this file's own database. */
  readonly url: string;
  /** Its name on the server. */
  readonly name: string;
  /** A Kysely + pg pool opened on it (closed after the file's tests). */
  readonly handle: DatabaseHandle;
}

/**
 * A new database of the run, which the caller must drop: a clone of the migrated template, or
 * with `{ migrated: false }` an empty one (for tests of the migrations themselves).
 */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<{
  url: string;
  name: string;
  drop(): Promise<void>;
}> {
  const adminUrl = requireTestEnv('DATABASE_URL');
  const runId = requireTestEnv(TEST_RUN_ENV);
  const template = requireTestEnv(TEST_TEMPLATE_ENV);
  const name = `${testDatabasePrefix(runId)}${randomId()}`;
  if (options.migrated === false) {
    await withAdminClient(adminUrl, (client) =>
      client.query(`CREATE DATABASE ${quoteIdent(name)}`),
    );
  } else {
    await ensureTemplate(adminUrl, template);
    await withAdminClient(adminUrl, (client) => cloneDatabase(client, name, template));
  }
  return {
    url: withDatabase(adminUrl, name),
    name,
    drop: () => withAdminClient(adminUrl, (client) => dropDatabase(client, name)),
  };
}

/**
 * Gives the calling test file its own freshly migrated database: created in `beforeAll`,
 * dropped in `afterAll`. Read the properties inside tests or hooks, not at module load.
 */
export function useTestDatabase(): TestDatabase {
  let state:
    { url: string; name: string; drop(): Promise<void>; handle: DatabaseHandle } | undefined;
  beforeAll(async () => {
    const created = await createTestDatabase();
    state = {
      ...created,
      handle: createDatabase({ connectionString: created.url, maxConnections: 5 }),
    };
  });
  afterAll(async () => {
    if (state === undefined) return;
    await state.handle.destroy();
    await state.drop();
    state = undefined;
  });
  const current = () => {
    if (state === undefined) throw new Error('useTestDatabase(): read it inside a test or hook');
    return state;
  };
  return {
    get url() {
      return current().url;
    },
    get name() {
      return current().name;
    },
    get handle() {
      return current().handle;
    },
  };
}
