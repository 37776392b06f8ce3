import { randomUUID } from 'node:crypto';
import { setTimeout } from 'node:timers/promises';
import {
  Kysely,
  type MigrationResult,
  Migrator,
  PostgresAdapter,
  PostgresDialect,
  type PostgresDialectConfig,
  sql,
} from 'kysely';
import pg from 'pg';
import { migrations } from './migrations';

/** Seconds a migration lease lasts without renewal; renewed every third of that. */
const MIGRATION_LEASE_TTL_SECONDS = 60;
/** How often a replica waiting for the lease asks again, in ms. */
const MIGRATION_LEASE_POLL_MS = 250;

/**
 * The migration lock as an expiring lease row in `public.omise_sync_migration_lease`, taken
 * through Kysely's documented adapter hooks. Not an advisory lock: any role, a read-only BI
 * login included, can take advisory locks and so stall migrations, while this row needs
 * privileges only the migrating role has. Each statement commits on its own, so it works
 * through PgBouncer in transaction mode. A replica that dies stops renewing; its lease
 * expires and the next one proceeds.
 */
class LeaseMigrationAdapter extends PostgresAdapter {
  private readonly holder = randomUUID();
  private renewal: NodeJS.Timeout | undefined;

  /** @param renewDb where renewals go: another connection than the migrating one */
  constructor(private readonly renewDb: Kysely<unknown>) {
    super();
  }

  override async acquireMigrationLock(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE TABLE IF NOT EXISTS public.omise_sync_migration_lease (
        id         integer PRIMARY KEY,
        holder     text        NOT NULL,
        expires_at timestamptz NOT NULL
      )`
      .execute(db)
      // Two replicas creating it at once: one wins, the other's duplicate is harmless.
      .catch((error: unknown) => {
        if ((error as { code?: unknown }).code !== '23505') throw error;
      });
    for (;;) {
      const { rows } = await sql<{ holder: string }>`
        INSERT INTO public.omise_sync_migration_lease AS lease (id, holder, expires_at)
        VALUES (1, ${this.holder}, now() + make_interval(secs => ${MIGRATION_LEASE_TTL_SECONDS}))
        ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
        WHERE lease.expires_at < now()
        RETURNING holder`.execute(db);
      if (rows[0]?.holder === this.holder) break;
      await setTimeout(MIGRATION_LEASE_POLL_MS);
    }
    this.renewal = setInterval(
      () => {
        sql`UPDATE public.omise_sync_migration_lease
          SET expires_at = now() + make_interval(secs => ${MIGRATION_LEASE_TTL_SECONDS})
          WHERE id = 1 AND holder = ${this.holder}`
          .execute(this.renewDb)
          .catch(() => undefined);
      },
      (MIGRATION_LEASE_TTL_SECONDS * 1000) / 3,
    );
    this.renewal.unref();
  }

  override async releaseMigrationLock(db: Kysely<unknown>): Promise<void> {
    clearInterval(this.renewal);
    await sql`DELETE FROM public.omise_sync_migration_lease WHERE id = 1 AND holder = ${this.holder}`.execute(
      db,
    );
  }
}

class MigrationDialect extends PostgresDialect {
  constructor(
    config: PostgresDialectConfig,
    private readonly renewDb: () => Kysely<unknown>,
  ) {
    super(config);
  }

  override createAdapter(): PostgresAdapter {
    return new LeaseMigrationAdapter(this.renewDb());
  }
}

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
 * when several replicas start at once: a lease serialises them (see
 * {@link LeaseMigrationAdapter}), so the second one waits and then finds nothing to do.
 */
export async function migrateToLatest(connectionString: string): Promise<MigrateOutcome> {
  const pool = new pg.Pool({ connectionString, max: 2, application_name: 'omise-sync-migrate' });
  pool.on('error', () => undefined);
  const renewDb = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  const db = new Kysely<unknown>({ dialect: new MigrationDialect({ pool }, () => renewDb) });
  try {
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
    await db.destroy();
  }
}
