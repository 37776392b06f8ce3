import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A positive number from the environment variable `name`, else `fallback`. */
export function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be positive`);
  return value;
}

/** A database a benchmark creates for its run, on the server DATABASE_URL names. */
export interface ScratchDatabase {
  name: string;
  /** Its URL: the server's, with this database. */
  url: string;
  /** A connection to the server's own database, open until `drop()`. */
  admin: pg.Client;
  /** Drops the database (closing whatever is still connected to it) and closes `admin`. */
  drop(): Promise<void>;
}

/**
 * Creates an empty database named `<prefix>_<random>` on the server DATABASE_URL names
 * (default postgres://postgres@127.0.0.1:5432/postgres).
 */
export async function createScratchDatabase(prefix: string): Promise<ScratchDatabase> {
  const serverUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    admin,
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** Runs a benchmark's main: its result is the exit code; an error is printed and exits 1. */
export function runBenchmark(main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
