import { type Database, acquireSyncLease, releaseSyncLease, renewSyncLease } from '@omise-sync/db';
import { type Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { SyncAlreadyRunningError } from './sync-errors';

/** How long a lease lasts without renewal, in ms; it is renewed every third of that. */
export const SYNC_LEASE_TTL_MS = 30_000;

/**
 * Runs `fn` while holding an account's lease `name` in `omise.sync_leases`, so two backfills
 * (or two reconciles) of one account never run at once against one database, whichever machine starts them. A lease
 * row rather than a session advisory lock: it works through PgBouncer in transaction mode, and
 * a read-only role cannot take it. A process that dies stops renewing; its lease expires
 * after `ttlMs` and the next run may take it.
 * @throws SyncAlreadyRunningError at once when another live run holds the lease
 */
export async function withSyncLease<T>(
  db: Kysely<Database>,
  lease: { name: string; account: string },
  fn: () => Promise<T>,
  ttlMs = SYNC_LEASE_TTL_MS,
): Promise<T> {
  const { name, account } = lease;
  const holder = `${hostname()}:${process.pid}:${randomUUID()}`;
  if (!(await acquireSyncLease(db, name, holder, ttlMs, account))) {
    throw new SyncAlreadyRunningError(
      `${name} of account ${account} is already running in another process`,
    );
  }
  // A failed renewal (Postgres briefly away) is tried again at the next tick.
  const renewal = setInterval(() => {
    renewSyncLease(db, name, holder, ttlMs, account).catch(() => undefined);
  }, ttlMs / 3);
  renewal.unref();
  try {
    return await fn();
  } finally {
    clearInterval(renewal);
    await releaseSyncLease(db, name, holder, account).catch(() => undefined);
  }
}
