import { Kysely, Migrator, PostgresDialect, type MigrationResult } from 'kysely';
import pg from 'pg';
import { migrations } from './migrations';

/** Postgres advisory lock key held while migrating: `hashtext('omise-sync:migrate')` is stable. */
const MIGRATION_LOCK_SQL = "SELECT pg_advisory_lock(hashtext('omise-sync:migrate'))";
const MIGRATION_UNLOCK_SQL = "SELECT pg_advisory_unlock(hashtext('omise-sync:migrate'))";

/** What {@link migrateToLatest} did. */
export interface MigrateOutcome {
  /** Migrations applied by this call, in order (empty when the database was up to date). */
  applied: string[];
  /** Every migration the code knows, in order. */
  known: string[];
}

/** A migration that failed; `results` says which ones ran before it. */
export class MigrationFailedError extends Error {
  override readonly name = 'MigrationFailedError';
  constructor(
    readonly migration: string | undefined,
    readonly results: readonly MigrationResult[],
    options: { cause: unknown },
  ) {
    super(`migration ${migration ?? '(unknown)'} failed`, options);
  }
}

/**
 * Applies every pending migration to the database at `connectionString`. Idempotent, and safe
 * when several replicas start at once: a session-level advisory lock serialises them, so the
 * second one waits and then finds nothing to do.
 */
export async function migrateToLatest(connectionString: string): Promise<MigrateOutcome> {
  const pool = new pg.Pool({ connectionString, max: 2, application_name: 'omise-sync-migrate' });
  pool.on('error', () => undefined);
  const lockClient = await pool.connect();
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  try {
    await lockClient.query(MIGRATION_LOCK_SQL);
    const migrator = new Migrator({
      db,
      provider: { getMigrations: () => Promise.resolve(migrations) },
    });
    const { error, results = [] } = await migrator.migrateToLatest();
    if (error !== undefined) {
      const failed = results.find((r) => r.status === 'Error');
      throw new MigrationFailedError(failed?.migrationName, results, { cause: error });
    }
    return {
      applied: results.filter((r) => r.status === 'Success').map((r) => r.migrationName),
      known: Object.keys(migrations).sort(),
    };
  } finally {
    await lockClient.query(MIGRATION_UNLOCK_SQL).catch(() => undefined);
    lockClient.release();
    await db.destroy();
  }
}
