import {
  type AccountName,
  RedisEnv,
  PII_SALT_REQUIRED,
  hasPiiSalt,
  envFields,
  loadBoth,
  loadOmiseAccounts,
  parseEnv,
  piiEnvShape,
  toPiiPolicy,
} from '@omise-sync/core';
import { z } from 'zod';
import {
  DEFAULT_DISPUTE_RESPONSE_DAYS,
  DEFAULT_DISPUTE_SEVERITY_RULES,
  DisputeResponseDays,
  DisputeSeverityRules,
} from '@omise-sync/projection';

/** `72,24` → [72, 24]: distinct positive hours, latest reminder (most hours) first. */
const ReminderHours = z.string().transform((text, ctx) => {
  const hours = text.split(',').map((part) => Number(part.trim()));
  if (hours.length === 0 || hours.some((h) => !Number.isInteger(h) || h <= 0)) {
    ctx.addIssue({ code: 'custom', message: 'must be positive whole hours, e.g. "72,24"' });
    return z.NEVER;
  }
  return [...new Set(hours)].sort((a, b) => b - a);
});

const EnvSchema = z.object({
  /*
   * The accounts (OMISE_ACCOUNTS_FILE, or OMISE_SECRET_KEY as the account `default`) are read
   * by loadOmiseAccounts from @omise-sync/core; see the root README.
   */
  /**
   * Base URL of the Omise API for accounts without their own `apiUrl` (the emulator in tests
   * and demos). Default https://api.omise.co.
   */
  OMISE_API_URL: envFields.url(['https:', 'http:']).default('https://api.omise.co'),
  /** Milliseconds one Omise request may take before it counts as failed. Default 10000. */
  OMISE_TIMEOUT_MS: envFields.positiveInt(10_000),
  /**
   * Most Omise requests per second from this process, per account without its own
   * `rateLimitRps` (token bucket); unset means no limit. Omise publishes no numbers and advises
   * at most 10 parallel workers. Default unset.
   */
  OMISE_RATE_LIMIT_RPS: z.coerce.number().positive().optional(),
  /**
   * Most connections this process keeps open to each account's Omise API; requests beyond it
   * wait for a free one. Independent of WORKER_CONCURRENCY, so raising concurrency never opens more
   * connections to Omise. Default 16.
   */
  OMISE_MAX_CONNECTIONS: envFields.positiveInt(16),
  /** Postgres connection string (postgres:// or postgresql://). Required. */
  DATABASE_URL: envFields.url(['postgres:', 'postgresql:']),
  /**
   * Postgres connections in the pool. Events share batched transactions (at most 4 open at
   * once per account, each holding a connection while it fetches); the sweeper, health checks
   * and failure records use the rest. Default 20.
   */
  DATABASE_POOL_SIZE: envFields.positiveInt(20),
  /*
   * Where Redis is (REDIS_URL, REDIS_SENTINELS, REDIS_CLUSTER_NODES…) and BULLMQ_PREFIX (must
   * match the receiver's) are read by RedisEnv from @omise-sync/core; see the root README.
   */
  /**
   * Omise events in flight in this process per account (BullMQ concurrency of each account's
   * queue). Events in flight together are projected in shared transactions (up to 4 of 64
   * events each), so the default keeps four full batches going; Omise requests stay capped by
   * OMISE_MAX_CONNECTIONS and OMISE_RATE_LIMIT_RPS. Default 256.
   */
  WORKER_CONCURRENCY: envFields.positiveInt(256),
  /**
   * Milliseconds a job's lock lasts without renewal (renewed every half of it while the job
   * runs). A killed worker's jobs are taken by another within about this plus
   * WORKER_STALLED_INTERVAL_MS. Default 10000.
   */
  WORKER_LOCK_DURATION_MS: envFields.positiveInt(10_000),
  /** Milliseconds between checks for jobs whose lock expired (stalled jobs). Default 5000. */
  WORKER_STALLED_INTERVAL_MS: envFields.positiveInt(5_000),
  /** Port of /healthz, /readyz and /metrics; 0 picks a free port. Default 9464. */
  METRICS_PORT: envFields.port(9464),
  /**
   * Slack-compatible incoming webhook that new live disputes are posted to. Unset: flags are
   * written but nobody is notified (a warning is logged once). Default unset.
   */
  ALERT_WEBHOOK_URL: envFields.url(['https:', 'http:']).optional(),
  /** Milliseconds a notification POST may take. Default 5000. */
  ALERT_WEBHOOK_TIMEOUT_MS: envFields.positiveInt(5_000),
  /**
   * Test-mode disputes (`livemode: false`): `skip` records their flag as not notified, `notify`
   * sends them labelled TEST MODE. Default skip.
   */
  ALERT_TEST_MODE: z.enum(['notify', 'skip']).default('skip'),
  /**
   * Dispute severity rules as JSON (see DisputeSeverityRules in @omise-sync/projection and the
   * README). Default: DEFAULT_DISPUTE_SEVERITY_RULES.
   */
  DISPUTE_SEVERITY_RULES: envFields.json(DisputeSeverityRules).optional(),
  /**
   * Days a merchant has to answer a dispute, counted from its opening; `omise.disputes.respond_by`
   * and the reminders follow from it. A number, or JSON days by `default` and by the disputed
   * card's issuing country (`{"default":7,"JP":10}`). Must match the CLI's. Default 7 (Opn's
   * merchant help).
   */
  DISPUTE_RESPONSE_DAYS: envFields.json(DisputeResponseDays).default(DEFAULT_DISPUTE_RESPONSE_DAYS),
  /**
   * Hours before an open dispute's `respond_by` at which ALERT_WEBHOOK_URL is reminded, comma
   * separated (each at most once per dispute). Default "72,24".
   */
  DISPUTE_REMINDER_HOURS: ReminderHours.default([72, 24]),
  /**
   * Milliseconds SIGTERM waits for active jobs to finish; jobs still running then are handed
   * back to the queue for another worker. Default 25000.
   */
  SHUTDOWN_TIMEOUT_MS: envFields.positiveInt(25_000),
  /**
   * Milliseconds between sweeps for flags whose notification job was lost; 0 turns the
   * sweeper off. Default 30000.
   */
  NOTIFY_SWEEP_INTERVAL_MS: envFields.nonNegativeInt(30_000),
  /** pino level. Default info. */
  LOG_LEVEL: envFields.logLevel(),
  /**
   * Days of event history (`omise.events`) kept: a month's partition is dropped once the whole
   * month is older. 0 keeps everything; the current-state tables always keep everything.
   * Default 400.
   */
  EVENTS_RETENTION_DAYS: envFields.eventsRetentionDays(),
  ...piiEnvShape,
});

/** The worker's configuration; every variable is documented (unit, default) on EnvSchema. */
export const WorkerEnv = EnvSchema.refine(hasPiiSalt, PII_SALT_REQUIRED).transform((env) => ({
  omise: {
    apiUrl: env.OMISE_API_URL,
    timeoutMs: env.OMISE_TIMEOUT_MS,
    rateLimitRps: env.OMISE_RATE_LIMIT_RPS,
    maxConnections: env.OMISE_MAX_CONNECTIONS,
  },
  databaseUrl: env.DATABASE_URL,
  databasePoolSize: env.DATABASE_POOL_SIZE,
  concurrency: env.WORKER_CONCURRENCY,
  lockDurationMs: env.WORKER_LOCK_DURATION_MS,
  stalledIntervalMs: env.WORKER_STALLED_INTERVAL_MS,
  metricsPort: env.METRICS_PORT,
  alertWebhook:
    env.ALERT_WEBHOOK_URL === undefined
      ? undefined
      : {
          url: env.ALERT_WEBHOOK_URL,
          timeoutMs: env.ALERT_WEBHOOK_TIMEOUT_MS,
          testMode: env.ALERT_TEST_MODE,
        },
  severityRules: env.DISPUTE_SEVERITY_RULES ?? DEFAULT_DISPUTE_SEVERITY_RULES,
  responseDays: env.DISPUTE_RESPONSE_DAYS,
  reminderHours: env.DISPUTE_REMINDER_HOURS,
  shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
  notifySweepIntervalMs: env.NOTIFY_SWEEP_INTERVAL_MS,
  logLevel: env.LOG_LEVEL,
  eventsRetentionDays: env.EVENTS_RETENTION_DAYS,
  pii: toPiiPolicy(env),
}));

/** An account as the worker fetches it: its key, API and rate limit (the service's by default). */
export interface WorkerAccountConfig {
  name: AccountName;
  secretKey: string;
  apiUrl: string;
  /** Requests per second to this account's API; undefined means no limit. */
  rateLimitRps: number | undefined;
}

/** The worker's configuration: its variables and the accounts it projects. */
export type WorkerConfig = z.output<typeof WorkerEnv> & {
  /** Where the queues live, and their BullMQ prefix. */
  redis: z.output<typeof RedisEnv>;
  accounts: readonly WorkerAccountConfig[];
};

/**
 * Parses the worker's configuration from environment variables and its accounts (only
 * main.ts calls this).
 * @throws ConfigError (from @omise-sync/core) listing every problem at once.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv,
  options: { readFile?: (path: string) => string } = {},
): WorkerConfig {
  const [[base, redis], accounts] = loadBoth(
    () =>
      loadBoth(
        () => parseEnv(WorkerEnv, env),
        () => parseEnv(RedisEnv, env),
      ),
    () =>
      loadOmiseAccounts(env, {
        secretKey: 'required',
        webhookSecrets: 'optional',
        ...(options.readFile === undefined ? {} : { readFile: options.readFile }),
      }),
  );
  return {
    ...base,
    redis,
    accounts: accounts.map((account) => ({
      name: account.name,
      secretKey: account.secretKey,
      apiUrl: account.apiUrl ?? base.omise.apiUrl,
      rateLimitRps: account.rateLimitRps ?? base.omise.rateLimitRps,
    })),
  };
}
