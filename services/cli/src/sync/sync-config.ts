import {
  type AccountName,
  checkRedisEnv,
  PII_SALT_REQUIRED,
  hasPiiSalt,
  envFields,
  loadBoth,
  loadOmiseAccounts,
  parseEnv,
  redisEnvFields,
  toRedisConfig,
  piiEnvShape,
  toPiiPolicy,
} from '@omise-sync/core';
import { UsageError } from '../cli-env';
import {
  DEFAULT_DISPUTE_RESPONSE_DAYS,
  DEFAULT_DISPUTE_SEVERITY_RULES,
  DisputeResponseDays,
  DisputeSeverityRules,
} from '@omise-sync/projection';
import { z } from 'zod';

const databaseFields = {
  /** Postgres connection string (postgres:// or postgresql://). Required. */
  DATABASE_URL: envFields.url(['postgres:', 'postgresql:']),
  /** Postgres connections the command may open. Default 4. */
  DATABASE_POOL_SIZE: envFields.positiveInt(4),
  /** pino level of the JSON log lines, written to stderr (tables go to stdout). Default info. */
  LOG_LEVEL: envFields.logLevel(),
};

/**
 * Where Redis is (REDIS_URL, REDIS_SENTINELS, REDIS_CLUSTER_NODES…) and BULLMQ_PREFIX, which
 * must match the receiver's and the worker's; see @omise-sync/core's RedisEnv.
 */
const queueFields = redisEnvFields;

const omiseFields = {
  /*
   * The accounts (OMISE_ACCOUNTS_FILE, or OMISE_SECRET_KEY as the account `default`) are read by
   * loadOmiseAccounts from @omise-sync/core (see loadSyncConfig).
   */
  /** Base URL of the Omise API for accounts without their own `apiUrl`. Default https://api.omise.co. */
  OMISE_API_URL: envFields.url(['https:', 'http:']).default('https://api.omise.co'),
  /** Milliseconds one Omise request may take before it counts as failed. Default 30000. */
  OMISE_TIMEOUT_MS: envFields.positiveInt(30_000),
  /**
   * Most Omise requests per second from this command (token bucket). Omise publishes no
   * limit; 100/s keeps a backfill at about 10,000 items/s (100 per page) and answers of 429
   * are retried after their Retry-After. Lower it when the worker shares a tight budget.
   * Default 100.
   */
  OMISE_RATE_LIMIT_RPS: z.coerce.number().positive().default(100),
  /** Requests the token bucket lets go at once after a quiet period. Default 10. */
  OMISE_RATE_LIMIT_BURST: envFields.positiveInt(10),
};

const severityFields = {
  /** Dispute severity rules as JSON, shared with the worker. Default: the worker's defaults. */
  DISPUTE_SEVERITY_RULES: envFields.json(DisputeSeverityRules).optional(),
  /**
   * Days a merchant has to answer a dispute, counted from its opening (`respond_by`): a number,
   * or JSON days by `default` and by the disputed card's issuing country
   * (`{"default":7,"JP":10}`); must match the worker's. Default 7.
   */
  DISPUTE_RESPONSE_DAYS: envFields.json(DisputeResponseDays).default(DEFAULT_DISPUTE_RESPONSE_DAYS),
};

const leaseFields = {
  /**
   * Seconds a run's lease (one backfill, one reconcile at a time) lasts without renewal; a run
   * renews it every third of that. A killed run blocks the next one for at most this long.
   * Default 30.
   */
  SYNC_LEASE_TTL_SECONDS: envFields.positiveInt(30),
};

function databaseConfig(env: z.output<z.ZodObject<typeof databaseFields>>) {
  return {
    databaseUrl: env.DATABASE_URL,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    logLevel: env.LOG_LEVEL,
  };
}

function omiseConfig(env: z.output<z.ZodObject<typeof omiseFields>>) {
  return {
    apiUrl: env.OMISE_API_URL,
    timeoutMs: env.OMISE_TIMEOUT_MS,
    rateLimitRps: env.OMISE_RATE_LIMIT_RPS,
    rateLimitBurst: env.OMISE_RATE_LIMIT_BURST,
  };
}

/** How the CLI talks to Omise (defaults for every account). */
export type OmiseDefaults = ReturnType<typeof omiseConfig>;

/** How the CLI talks to one account's Omise API. */
export type OmiseConfig = OmiseDefaults & { account: AccountName; secretKey: string };

/** `omise-sync backfill`. */
export const BackfillConfig = z
  .object({
    ...databaseFields,
    ...omiseFields,
    ...severityFields,
    ...leaseFields,
    ...piiEnvShape,
    /**
     * Items written per transaction (with the checkpoint). Larger batches mean fewer commits;
     * a crash redoes at most one batch. Default 1000.
     */
    BACKFILL_BATCH_SIZE: envFields.positiveInt(1_000),
    /** List pages (100 items each) fetched ahead while a batch is written. Default 4. */
    BACKFILL_PREFETCH_PAGES: envFields.positiveInt(4),
  })
  .refine(hasPiiSalt, PII_SALT_REQUIRED)
  .transform((env) => ({
    ...databaseConfig(env),
    omise: omiseConfig(env),
    severityRules: env.DISPUTE_SEVERITY_RULES ?? DEFAULT_DISPUTE_SEVERITY_RULES,
    pii: toPiiPolicy(env),
    responseDays: env.DISPUTE_RESPONSE_DAYS,
    leaseTtlMs: env.SYNC_LEASE_TTL_SECONDS * 1_000,
    batchSize: env.BACKFILL_BATCH_SIZE,
    prefetchPages: env.BACKFILL_PREFETCH_PAGES,
  }));
export type BackfillConfig = z.output<typeof BackfillConfig>;

/** `omise-sync sync ledger`: no personal data is written, so no `PII_SALT`. */
export const LedgerSyncConfig = z
  .object({ ...databaseFields, ...omiseFields, ...leaseFields })
  .transform((env) => ({
    ...databaseConfig(env),
    omise: omiseConfig(env),
    leaseTtlMs: env.SYNC_LEASE_TTL_SECONDS * 1_000,
  }));
export type LedgerSyncConfig = z.output<typeof LedgerSyncConfig>;

/** `omise-sync reconcile`. */
export const ReconcileConfig = z
  .object({
    ...databaseFields,
    ...queueFields,
    ...omiseFields,
    ...severityFields,
    ...leaseFields,
    ...piiEnvShape,
    /**
     * Hours back a reconciliation looks when it has no cursor yet (first run) and how far back
     * it compares charges with Omise on every run, unless --since is given. Default 168 (7 days).
     */
    RECONCILE_LOOKBACK_HOURS: z.coerce.number().positive().default(168),
    /**
     * Seconds an event must be old before reconcile takes it over from webhook delivery.
     * Younger events are most likely still being delivered; a reconcile-origin projection would
     * not notify, so they are left to the webhook and to the next run. Default 120.
     */
    RECONCILE_SETTLE_SECONDS: envFields.nonNegativeInt(120),
    /**
     * Hours between full walks of customers, recipients, schedules, links and transfers (each
     * listed whole: Omise lists by creation, not by change); runs in between skip them. 0: every
     * run. Default 24.
     */
    RECONCILE_DIRECTORIES_INTERVAL_HOURS: z.coerce.number().nonnegative().default(24),
    /**
     * Days of event history kept; each run, like the worker, drops the partitions of months
     * older than this and creates the coming months'. 0 keeps everything. Must match the
     * worker's. Default 400.
     */
    EVENTS_RETENTION_DAYS: envFields.eventsRetentionDays(),
  })
  .superRefine(checkRedisEnv)
  .refine(hasPiiSalt, PII_SALT_REQUIRED)
  .transform((env) => ({
    ...databaseConfig(env),
    redis: toRedisConfig(env),
    omise: omiseConfig(env),
    severityRules: env.DISPUTE_SEVERITY_RULES ?? DEFAULT_DISPUTE_SEVERITY_RULES,
    pii: toPiiPolicy(env),
    responseDays: env.DISPUTE_RESPONSE_DAYS,
    leaseTtlMs: env.SYNC_LEASE_TTL_SECONDS * 1_000,
    lookbackMs: env.RECONCILE_LOOKBACK_HOURS * 3_600_000,
    settleMs: env.RECONCILE_SETTLE_SECONDS * 1_000,
    directoriesEveryMs: env.RECONCILE_DIRECTORIES_INTERVAL_HOURS * 3_600_000,
    eventsRetentionDays: env.EVENTS_RETENTION_DAYS,
  }));
export type ReconcileConfig = z.output<typeof ReconcileConfig>;

/** `omise-sync replay --failed` (no Omise call). */
export const ReplayFailedConfig = z
  .object({ ...databaseFields, ...queueFields })
  .superRefine(checkRedisEnv)
  .transform((env) => ({
    ...databaseConfig(env),
    redis: toRedisConfig(env),
  }));
export type ReplayFailedConfig = z.output<typeof ReplayFailedConfig>;

/** `omise-sync replay --event ID` (fetches the event from Omise). */
export const ReplayEventConfig = z
  .object({ ...databaseFields, ...queueFields, ...omiseFields })
  .superRefine(checkRedisEnv)
  .transform((env) => ({
    ...databaseConfig(env),
    redis: toRedisConfig(env),
    omise: omiseConfig(env),
  }));
export type ReplayEventConfig = z.output<typeof ReplayEventConfig>;

/** `omise-sync disputes` (the dispute desk: Postgres and the Omise API, no queue). */
export const DeskConfig = z
  .object({ ...databaseFields, ...omiseFields, ...severityFields })
  .transform((env) => ({
    ...databaseConfig(env),
    omise: omiseConfig(env),
    severityRules: env.DISPUTE_SEVERITY_RULES ?? DEFAULT_DISPUTE_SEVERITY_RULES,
    responseDays: env.DISPUTE_RESPONSE_DAYS,
  }));
export type DeskConfig = z.output<typeof DeskConfig>;

/** `omise-sync status`. */
export const StatusConfig = ReplayFailedConfig;
export type StatusConfig = ReplayFailedConfig;

/**
 * Parses one command's configuration (only the command calls this, once).
 * @throws ConfigError (from @omise-sync/core) listing every problem at once.
 */
export function loadSyncConfig<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv,
): z.output<S> {
  return parseEnv(schema, env);
}

/**
 * Parses a command's configuration and the accounts it may work on, each with its Omise
 * settings (its own `apiUrl` and `rateLimitRps`, else the command's).
 * @throws ConfigError listing every problem of both at once.
 */
export function loadSyncConfigWithAccounts<S extends z.ZodType<{ omise: OmiseDefaults }>>(
  schema: S,
  env: NodeJS.ProcessEnv,
): { config: z.output<S>; accounts: OmiseConfig[] } {
  const [config, accounts] = loadBoth(
    () => parseEnv(schema, env),
    () => loadOmiseAccounts(env, { secretKey: 'required', webhookSecrets: 'optional' }),
  );
  return {
    config,
    accounts: accounts.map((account) => ({
      ...config.omise,
      account: account.name,
      secretKey: account.secretKey,
      apiUrl: account.apiUrl ?? config.omise.apiUrl,
      rateLimitRps: account.rateLimitRps ?? config.omise.rateLimitRps,
    })),
  };
}

/**
 * Parses a command's configuration and the names of the accounts, for commands that never call
 * Omise (no key needed).
 * @throws ConfigError listing every problem of both at once.
 */
export function loadSyncConfigWithAccountNames<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv,
): { config: z.output<S>; accounts: { account: AccountName }[] } {
  const [config, accounts] = loadBoth(
    () => parseEnv(schema, env),
    () => loadOmiseAccounts(env, { secretKey: 'optional', webhookSecrets: 'optional' }),
  );
  return { config, accounts: accounts.map((account) => ({ account: account.name })) };
}

/**
 * The accounts `--account NAME` names, or every account when it is absent. A command where
 * every account makes no sense passes `required`: without the flag it works on the only
 * account there is, and with several it is a usage error.
 * @throws UsageError for an unknown account, or a missing `--account` where it is required
 */
export function selectAccounts<A extends { account: AccountName }>(
  accounts: readonly A[],
  flag: string | undefined,
  absent: 'all' | 'required',
): A[] {
  const names = accounts.map((account) => account.account).join(', ');
  if (flag !== undefined) {
    const found = accounts.find((account) => account.account === flag);
    if (found === undefined) {
      throw new UsageError(`--account ${flag}: no such account (configured: ${names})`);
    }
    return [found];
  }
  if (absent === 'all' || accounts.length === 1) return [...accounts];
  throw new UsageError(`--account NAME is required with several accounts (configured: ${names})`);
}
