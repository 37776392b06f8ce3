import {
  type AccountName,
  RedisEnv,
  envFields,
  loadBoth,
  loadOmiseAccounts,
  parseEnv,
} from '@omise-sync/core';
import { z } from 'zod';

const MIB = 1024 * 1024;

/** How a delivery is proven to come from Omise. */
export const VerificationMode = z.enum(['signature', 'fetch']);
export type VerificationMode = z.infer<typeof VerificationMode>;

const EnvSchema = z.object({
  /** TCP port the HTTP server listens on; 0 picks a free port. Default 8080. */
  PORT: envFields.port(8080),
  /*
   * Where Redis is (REDIS_URL, REDIS_SENTINELS, REDIS_CLUSTER_NODES…) and BULLMQ_PREFIX are read
   * by RedisEnv from @omise-sync/core; see README.md.
   */
  /**
   * Milliseconds a Redis command may take before the delivery is answered 503 instead of
   * waiting (a hung or partitioned Redis must not hold Omise's connection open). Default 2000.
   */
  REDIS_COMMAND_TIMEOUT_MS: envFields.positiveInt(2_000),
  /**
   * Replicas that must confirm a job (Redis `WAIT`) before its delivery is answered 2xx; fewer
   * within REDIS_REPLICA_ACK_TIMEOUT_MS and it is answered 503, so Omise delivers it again.
   * Replication is asynchronous: with 0, a failover can lose an acknowledged event. Default 0.
   */
  REDIS_MIN_REPLICAS_TO_ACK: envFields.nonNegativeInt(0),
  /** Milliseconds `WAIT` gives the replicas to confirm a job. Default 500. */
  REDIS_REPLICA_ACK_TIMEOUT_MS: envFields.positiveInt(500),
  /** `signature` (HMAC, API-NOTES §2.1) or `fetch` (re-fetch the event by id). Default signature. */
  OMISE_WEBHOOK_VERIFY: VerificationMode.default('signature'),
  /*
   * The accounts (OMISE_ACCOUNTS_FILE, or OMISE_WEBHOOK_SECRETS and OMISE_SECRET_KEY as the
   * account `default`) are read by loadOmiseAccounts from @omise-sync/core; see README.md.
   */
  /**
   * Seconds the signed timestamp may differ from the receiver's clock, in either direction;
   * 0 turns the check off. Default 300.
   */
  OMISE_WEBHOOK_TOLERANCE_SECONDS: envFields.nonNegativeInt(300),
  /** Largest accepted request body, in bytes; larger ones get 413. Default 1 MiB (1048576). */
  OMISE_WEBHOOK_BODY_LIMIT_BYTES: envFields.positiveInt(MIB),
  /**
   * Omise secret key (`skey_…`) of the `default` account, used only in fetch mode (read by
   * loadOmiseAccounts; declared here so signature mode can refuse it).
   */
  OMISE_SECRET_KEY: z.string().optional(),
  /**
   * Base URL of the Omise API, used in fetch mode by accounts without their own `apiUrl`.
   * Default https://api.omise.co.
   */
  OMISE_API_URL: envFields.url(['https:', 'http:']).default('https://api.omise.co'),
  /**
   * Milliseconds one fetch-mode request to Omise may take before the delivery is answered 503
   * (Omise's own delivery timeout is not published; keep this well under 10 s). Default 5000.
   */
  OMISE_API_TIMEOUT_MS: envFields.positiveInt(5_000),
  /**
   * Seconds Omise's answer about an event id (found or not) is reused in fetch mode, so repeated
   * POSTs of one id cost one API call; 0 turns the cache off. Default 60.
   */
  OMISE_FETCH_CACHE_SECONDS: envFields.nonNegativeInt(60),
  /** Most event ids whose answer is remembered in fetch mode. Default 10000. */
  OMISE_FETCH_CACHE_MAX_IDS: envFields.positiveInt(10_000),
  /**
   * Most fetch-mode look-ups sent to Omise per second (bursts of as many); deliveries beyond it
   * get 503 + Retry-After and Omise delivers them again. Default 10.
   */
  OMISE_FETCH_LOOKUPS_PER_SECOND: envFields.positiveInt(10),
  /**
   * Waiting jobs at or above which deliveries are answered 503 + Retry-After so Omise retries
   * later instead of the queue growing without bound; 0 turns the ceiling off. Default 0.
   */
  RECEIVER_MAX_BACKLOG: envFields.nonNegativeInt(0),
  /** Seconds sent in `Retry-After` with every 503. Default 30. */
  RECEIVER_RETRY_AFTER_SECONDS: envFields.positiveInt(30),
  /**
   * TCP port of `GET /metrics`, kept off the webhook port so only the cluster's Prometheus, never
   * the ingress, can reach it; 0 picks a free port. Default 9464.
   */
  METRICS_PORT: envFields.port(9464),
  /** Milliseconds a client has to send the request headers; slower ones get 408. Default 10000. */
  RECEIVER_HEADERS_TIMEOUT_MS: envFields.positiveInt(10_000),
  /**
   * Milliseconds a client has to send the whole request, body included; slower ones get 408 and
   * the connection is closed (checked every second). Default 30000.
   */
  RECEIVER_REQUEST_TIMEOUT_MS: envFields.positiveInt(30_000),
  /** Milliseconds an idle keep-alive connection stays open. Default 5000 (node's own). */
  RECEIVER_KEEP_ALIVE_TIMEOUT_MS: envFields.positiveInt(5_000),
  /**
   * Connections open at once per process; more are closed on accept and counted in
   * `omise_webhook_refused_connections_total{reason="connection_limit"}`. Default 2048.
   */
  RECEIVER_MAX_CONNECTIONS: envFields.positiveInt(2_048),
  /** pino level. Default info. */
  LOG_LEVEL: envFields.logLevel(),
  /**
   * Milliseconds SIGTERM waits for in-flight deliveries before closing their connections.
   * Default 10000.
   */
  SHUTDOWN_TIMEOUT_MS: envFields.positiveInt(10_000),
});

/**
 * The receiver's configuration, parsed from the environment (see {@link loadConfig}).
 * Variable names, units and defaults are documented on each field above and in README.md.
 */
export const ReceiverEnv = EnvSchema.superRefine((env, ctx) => {
  if (env.RECEIVER_HEADERS_TIMEOUT_MS > env.RECEIVER_REQUEST_TIMEOUT_MS) {
    ctx.addIssue({
      code: 'custom',
      path: ['RECEIVER_HEADERS_TIMEOUT_MS'],
      message: 'must not exceed RECEIVER_REQUEST_TIMEOUT_MS',
    });
  }
  if (
    env.REDIS_MIN_REPLICAS_TO_ACK > 0 &&
    env.REDIS_REPLICA_ACK_TIMEOUT_MS >= env.REDIS_COMMAND_TIMEOUT_MS
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['REDIS_REPLICA_ACK_TIMEOUT_MS'],
      message: 'must be less than REDIS_COMMAND_TIMEOUT_MS (WAIT is a command too)',
    });
  }
  if (env.OMISE_WEBHOOK_VERIFY === 'signature' && env.OMISE_SECRET_KEY !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['OMISE_SECRET_KEY'],
      message:
        'must not be set when OMISE_WEBHOOK_VERIFY=signature (the receiver needs no API key)',
    });
  }
}).transform((env) => ({
  port: env.PORT,
  redisCommandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
  replicaAck: {
    minReplicas: env.REDIS_MIN_REPLICAS_TO_ACK,
    timeoutMs: env.REDIS_REPLICA_ACK_TIMEOUT_MS,
  },
  verification:
    env.OMISE_WEBHOOK_VERIFY === 'fetch'
      ? {
          mode: 'fetch' as const,
          apiTimeoutMs: env.OMISE_API_TIMEOUT_MS,
          cacheTtlMs: env.OMISE_FETCH_CACHE_SECONDS * 1000,
          cacheMaxEntries: env.OMISE_FETCH_CACHE_MAX_IDS,
          lookupsPerSecond: env.OMISE_FETCH_LOOKUPS_PER_SECOND,
        }
      : {
          mode: 'signature' as const,
          toleranceSeconds: env.OMISE_WEBHOOK_TOLERANCE_SECONDS,
        },
  omiseApiUrl: env.OMISE_API_URL,
  bodyLimitBytes: env.OMISE_WEBHOOK_BODY_LIMIT_BYTES,
  maxBacklog: env.RECEIVER_MAX_BACKLOG,
  retryAfterSeconds: env.RECEIVER_RETRY_AFTER_SECONDS,
  metricsPort: env.METRICS_PORT,
  limits: {
    headersTimeoutMs: env.RECEIVER_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: env.RECEIVER_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: env.RECEIVER_KEEP_ALIVE_TIMEOUT_MS,
    maxConnections: env.RECEIVER_MAX_CONNECTIONS,
  },
  logLevel: env.LOG_LEVEL,
  shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
}));

/** An account as the receiver sees it: the secrets its deliveries are signed with, its key. */
export interface ReceiverAccount {
  name: AccountName;
  /** Decoded webhook secrets (signature mode); a signature made with any of them is accepted. */
  webhookSecrets: readonly Buffer[];
  /** Secret key for fetch mode; undefined in signature mode, where the receiver needs none. */
  secretKey: string | undefined;
  /** Base URL of this account's Omise API (fetch mode). */
  apiUrl: string;
}

/** The receiver's configuration: its variables and the accounts it serves. */
export type ReceiverConfig = Omit<z.output<typeof ReceiverEnv>, 'omiseApiUrl'> & {
  /** Where the queues live, and their BullMQ prefix. */
  redis: z.output<typeof RedisEnv>;
  /** Every account, each at `POST /webhooks/omise/<name>` (`default` also at `/webhooks/omise`). */
  accounts: readonly ReceiverAccount[];
};

export interface LoadConfigOptions {
  /** Reads OMISE_ACCOUNTS_FILE. @defaultValue fs.readFileSync */
  readFile?: (path: string) => string;
}

/**
 * Parses the receiver's configuration from environment variables and its accounts.
 * @throws ConfigError (from @omise-sync/core) listing every problem at once.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv,
  options: LoadConfigOptions = {},
): ReceiverConfig {
  const fetchMode = env.OMISE_WEBHOOK_VERIFY === 'fetch';
  const [[base, redis], accounts] = loadBoth(
    () =>
      loadBoth(
        () => parseEnv(ReceiverEnv, env),
        () => parseEnv(RedisEnv, env),
      ),
    () =>
      loadOmiseAccounts(env, {
        secretKey: fetchMode ? 'required' : 'optional',
        webhookSecrets: fetchMode ? 'optional' : 'required',
        ...(options.readFile === undefined ? {} : { readFile: options.readFile }),
      }),
  );
  const { omiseApiUrl, ...rest } = base;
  return {
    ...rest,
    redis,
    accounts: accounts.map((account) => ({
      name: account.name,
      webhookSecrets: account.webhookSecrets,
      // Signature mode never calls Omise, so a key from a shared accounts file is dropped.
      secretKey: fetchMode ? account.secretKey : undefined,
      apiUrl: account.apiUrl ?? omiseApiUrl,
    })),
  };
}
