import { createLogger } from '@omise-sync/core';
import { type Database } from '@omise-sync/db';
import { type OmiseResponseInfo, createOmiseClient } from '@omise-sync/omise-client';
import { type Emulator } from '@omise-sync/omise-emulator';
import { type Kysely } from 'kysely';

/** A logger that writes nothing. */
export const silentLogger = createLogger({ name: 'test', level: 'silent' });

/** A client on the emulator that counts the list pages it fetches, by path. */
export function countingClient(emulator: Emulator) {
  const pages = new Map<string, number>();
  const client = createOmiseClient({
    secretKey: emulator.secretKey,
    baseUrl: emulator.url,
    onResponse: (info: OmiseResponseInfo) => {
      if (info.method === 'GET') pages.set(info.path, (pages.get(info.path) ?? 0) + 1);
    },
  });
  return { client, pages };
}

/** Waits until `check` returns a value other than undefined, polling every `everyMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  options: { timeoutMs?: number; everyMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${options.what ?? 'a condition'}`);
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 25));
  }
}

/** Row count of a table. */
export async function countRows(
  db: Kysely<Database>,
  table: 'omise.charges' | 'omise.refunds' | 'omise.disputes' | 'omise.dispute_flags',
): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
