import pg from 'pg';

/** Runs `fn` with one short-lived connection to the server's maintenance database. */
export async function withAdminClient<T>(
  databaseUrl: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({
    connectionString: databaseUrl,
    application_name: 'omise-sync-tests',
  });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Quotes a generated identifier (only [a-z0-9_] ever reaches here). */
export function quoteIdent(name: string): string {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`refusing to quote identifier ${name}`);
  return `"${name}"`;
}

const OBJECT_IN_USE = '55006';

/**
 * CREATE DATABASE … TEMPLATE fails with 55006 while another session is connected to the
 * template, which can happen for an instant when several test files clone it at once.
 */
export async function cloneDatabase(
  client: pg.Client,
  name: string,
  template: string,
): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`);
      return;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code !== OBJECT_IN_USE || attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}

export async function dropDatabase(client: pg.Client, name: string): Promise<void> {
  await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
}
