import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { z } from 'zod';
import { envFields } from './parse-env';

/** A connection to wherever the queues live: one server (or a Sentinel-managed one), or a Cluster. */
export type RedisConnection = Redis | Cluster;

/** A `host:port` pair. */
export interface RedisAddress {
  host: string;
  port: number;
}

/** Where Redis is and how to log in, from {@link RedisEnv}; holds secrets, never log it. */
export type RedisConfig = (
  | {
      mode: 'standalone';
      /** redis:// or rediss:// URL, credentials and database included. */
      url: string;
    }
  | {
      mode: 'sentinel';
      sentinels: readonly RedisAddress[];
      /** The master group's name (`sentinel monitor <name> …`). */
      name: string;
      sentinelUsername: string | undefined;
      sentinelPassword: string | undefined;
      username: string | undefined;
      password: string | undefined;
      tls: boolean;
    }
  | {
      mode: 'cluster';
      /** Some of the cluster's nodes; the rest are discovered from them. */
      nodes: readonly RedisAddress[];
      username: string | undefined;
      password: string | undefined;
      tls: boolean;
    }
) & {
  /** BullMQ key prefix every process must share. */
  bullmqPrefix: string;
};

/** BullMQ's prefix in cluster mode: one hash tag, so every key of every queue shares a slot. */
export const CLUSTER_BULLMQ_PREFIX = '{omise-sync}';

const HASH_TAG = /\{[^{}]+\}/;

const AddressList = z.string().transform((text, ctx): RedisAddress[] => {
  const addresses: RedisAddress[] = [];
  for (const part of text.split(',').map((item) => item.trim())) {
    const match = /^(\[[0-9a-fA-F:]+\]|[^:\s[\]]+):(\d{1,5})$/.exec(part);
    const port = Number(match?.[2]);
    if (match?.[1] === undefined || port < 1 || port > 65_535) {
      ctx.addIssue({ code: 'custom', message: `"${part}" is not host:port` });
      return z.NEVER;
    }
    addresses.push({ host: match[1].replace(/^\[(.*)\]$/, '$1'), port });
  }
  return addresses;
});

/**
 * The Redis variables, for a schema that spreads them among its own; refine it with
 * {@link checkRedisEnv} and map it with {@link toRedisConfig} (or use {@link RedisEnv}).
 */
export const redisEnvFields = {
  /** One Redis server (redis:// or rediss://, credentials and database in the URL). */
  REDIS_URL: envFields.url(['redis:', 'rediss:']).optional(),
  /** Sentinel mode: the sentinels, comma-separated `host:port`. */
  REDIS_SENTINELS: AddressList.optional(),
  /** Sentinel mode: the master group's name. Required with REDIS_SENTINELS. */
  REDIS_SENTINEL_NAME: z.string().min(1).optional(),
  /** Sentinel mode: the sentinels' own ACL user, if they require one. */
  REDIS_SENTINEL_USERNAME: z.string().min(1).optional(),
  /** Sentinel mode: the sentinels' own password (`requirepass` in sentinel.conf), if any. */
  REDIS_SENTINEL_PASSWORD: z.string().min(1).optional(),
  /** Cluster mode: some cluster nodes, comma-separated `host:port`. */
  REDIS_CLUSTER_NODES: AddressList.optional(),
  /** Sentinel or cluster mode: the data nodes' ACL user. With REDIS_URL, put it in the URL. */
  REDIS_USERNAME: z.string().min(1).optional(),
  /** Sentinel or cluster mode: the data nodes' password. With REDIS_URL, put it in the URL. */
  REDIS_PASSWORD: z.string().min(1).optional(),
  /**
   * Sentinel or cluster mode: TLS to every node (sentinels included); a private CA comes from
   * NODE_EXTRA_CA_CERTS. With REDIS_URL, use rediss://. Default false.
   */
  REDIS_TLS: envFields.boolean(false),
  /**
   * BullMQ key prefix; every process must use the same. Default "{omise-sync}" in cluster mode
   * (a hash tag: a queue's keys must share a slot), "bull" (BullMQ's own) otherwise.
   */
  BULLMQ_PREFIX: z.string().min(1).optional(),
};

type RedisEnvValues = z.output<z.ZodObject<typeof redisEnvFields>>;

/**
 * The Redis variables (REDIS_URL, or REDIS_SENTINELS + REDIS_SENTINEL_NAME, or
 * REDIS_CLUSTER_NODES; credentials, TLS, BULLMQ_PREFIX), parsed into a {@link RedisConfig}.
 * Parse it with `parseEnv`; combinations that cannot work are reported by variable name.
 */
export const RedisEnv = z
  .object(redisEnvFields)
  .superRefine((env, ctx) => checkRedisEnv(env, ctx))
  .transform((env) => toRedisConfig(env));

/** Reports the combinations of Redis variables that cannot work, by variable name. */
export function checkRedisEnv(env: RedisEnvValues, ctx: z.RefinementCtx): void {
  const modes = (['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'] as const).filter(
    (name) => env[name] !== undefined,
  );
  if (modes.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      path: ['REDIS_URL'],
      message:
        modes.length === 0
          ? 'set one of REDIS_URL, REDIS_SENTINELS (with REDIS_SENTINEL_NAME) or REDIS_CLUSTER_NODES'
          : `set only one of ${modes.join(', ')}`,
    });
    return;
  }
  const forbid = (name: keyof RedisEnvValues, reason: string) => {
    if (env[name] !== undefined) ctx.addIssue({ code: 'custom', path: [name], message: reason });
  };
  if (env.REDIS_SENTINELS === undefined) {
    for (const name of [
      'REDIS_SENTINEL_NAME',
      'REDIS_SENTINEL_USERNAME',
      'REDIS_SENTINEL_PASSWORD',
    ] as const) {
      forbid(name, 'only applies with REDIS_SENTINELS');
    }
  } else if (env.REDIS_SENTINEL_NAME === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['REDIS_SENTINEL_NAME'],
      message: 'required with REDIS_SENTINELS (the name the sentinels monitor the master by)',
    });
  }
  if (env.REDIS_URL !== undefined) {
    forbid('REDIS_USERNAME', 'put the user in REDIS_URL (redis://user:password@host:port)');
    forbid('REDIS_PASSWORD', 'put the password in REDIS_URL (redis://user:password@host:port)');
    if (env.REDIS_TLS) {
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_TLS'],
        message: 'with REDIS_URL, use a rediss:// URL instead',
      });
    }
  }
  if (
    env.REDIS_CLUSTER_NODES !== undefined &&
    env.BULLMQ_PREFIX !== undefined &&
    !HASH_TAG.test(env.BULLMQ_PREFIX)
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['BULLMQ_PREFIX'],
      message: `must contain a hash tag in cluster mode, e.g. "${CLUSTER_BULLMQ_PREFIX}", so a queue's keys share a slot`,
    });
  }
}

/** The {@link RedisConfig} of variables that passed {@link checkRedisEnv}. */
export function toRedisConfig(env: RedisEnvValues): RedisConfig {
  if (env.REDIS_SENTINELS !== undefined) {
    return {
      mode: 'sentinel',
      sentinels: env.REDIS_SENTINELS,
      name: env.REDIS_SENTINEL_NAME ?? '',
      sentinelUsername: env.REDIS_SENTINEL_USERNAME,
      sentinelPassword: env.REDIS_SENTINEL_PASSWORD,
      username: env.REDIS_USERNAME,
      password: env.REDIS_PASSWORD,
      tls: env.REDIS_TLS,
      bullmqPrefix: env.BULLMQ_PREFIX ?? 'bull',
    };
  }
  if (env.REDIS_CLUSTER_NODES !== undefined) {
    return {
      mode: 'cluster',
      nodes: env.REDIS_CLUSTER_NODES,
      username: env.REDIS_USERNAME,
      password: env.REDIS_PASSWORD,
      tls: env.REDIS_TLS,
      bullmqPrefix: env.BULLMQ_PREFIX ?? CLUSTER_BULLMQ_PREFIX,
    };
  }
  return {
    mode: 'standalone',
    url: env.REDIS_URL ?? '',
    bullmqPrefix: env.BULLMQ_PREFIX ?? 'bull',
  };
}

/** How one process uses its connection; the same for every mode. */
export interface RedisConnectionOptions {
  /** `CLIENT SETNAME`, seen in `CLIENT LIST` on the server. */
  connectionName: string;
  /**
   * Attempts per command across reconnects; BullMQ's workers need null (wait forever).
   * @defaultValue null
   */
  maxRetriesPerRequest?: number | null;
  /** Queue commands while disconnected. @defaultValue true */
  enableOfflineQueue?: boolean;
  /** Milliseconds before a command in flight fails. @defaultValue none */
  commandTimeoutMs?: number;
  /** Milliseconds before reconnect attempt `attempt` (1-based). @defaultValue ioredis' */
  retryDelayMs?: (attempt: number) => number;
  /** Milliseconds `disconnect()` waits for the socket to close. @defaultValue ioredis' (2000) */
  disconnectTimeoutMs?: number;
  /** Send the commands of one event-loop turn in one write. @defaultValue false */
  enableAutoPipelining?: boolean;
}

/**
 * The one place every process (receiver, worker, CLI, rate limiter) opens Redis: a `Redis`
 * (one server, or the master a Sentinel set names, followed across failovers) or a `Cluster`.
 */
export function createRedisConnection(
  config: RedisConfig,
  options: RedisConnectionOptions,
): RedisConnection {
  // ioredis 6 declares `replyMapping` twice, which `exactOptionalPropertyTypes` cannot
  // reconcile; every connection keeps the default mapping.
  const common: Omit<RedisOptions, 'replyMapping'> = {
    connectionName: options.connectionName,
    maxRetriesPerRequest: options.maxRetriesPerRequest ?? null,
    ...(options.commandTimeoutMs === undefined ? {} : { commandTimeout: options.commandTimeoutMs }),
    ...(options.disconnectTimeoutMs === undefined
      ? {}
      : { disconnectTimeout: options.disconnectTimeoutMs }),
  };
  const perProcess = {
    ...(options.enableOfflineQueue === undefined
      ? {}
      : { enableOfflineQueue: options.enableOfflineQueue }),
    ...(options.enableAutoPipelining === undefined
      ? {}
      : { enableAutoPipelining: options.enableAutoPipelining }),
  };
  const retryDelayMs = options.retryDelayMs;
  const credentials = (username: string | undefined, password: string | undefined) => ({
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
  });

  switch (config.mode) {
    case 'standalone':
      return new Redis(config.url, {
        ...common,
        ...perProcess,
        ...(retryDelayMs === undefined ? {} : { retryStrategy: retryDelayMs }),
      });
    case 'sentinel':
      return new Redis({
        ...common,
        ...perProcess,
        ...credentials(config.username, config.password),
        sentinels: config.sentinels.map((address) => ({ ...address })),
        name: config.name,
        ...(config.sentinelUsername === undefined
          ? {}
          : { sentinelUsername: config.sentinelUsername }),
        ...(config.sentinelPassword === undefined
          ? {}
          : { sentinelPassword: config.sentinelPassword }),
        ...(config.tls ? { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true } : {}),
        // Sentinels announce a failover; without this, a connection to a demoted master lives
        // on until its socket breaks.
        failoverDetector: true,
        ...(retryDelayMs === undefined ? {} : { retryStrategy: retryDelayMs }),
      });
    case 'cluster':
      return new Cluster(
        config.nodes.map((address) => ({ ...address })),
        {
          ...perProcess,
          redisOptions: {
            ...common,
            ...credentials(config.username, config.password),
            ...(config.tls ? { tls: {} } : {}),
          },
          ...(retryDelayMs === undefined ? {} : { clusterRetryStrategy: retryDelayMs }),
        },
      );
  }
}

/** Where the connection goes, without credentials: for logs. */
export function describeRedisTarget(config: RedisConfig): Record<string, unknown> {
  const list = (addresses: readonly RedisAddress[]) =>
    addresses.map((address) => `${address.host}:${address.port}`);
  switch (config.mode) {
    case 'standalone': {
      const url = new URL(config.url);
      return {
        mode: config.mode,
        host: url.hostname,
        port: url.port,
        tls: url.protocol === 'rediss:',
      };
    }
    case 'sentinel':
      return {
        mode: config.mode,
        sentinels: list(config.sentinels),
        name: config.name,
        tls: config.tls,
      };
    case 'cluster':
      return { mode: config.mode, nodes: list(config.nodes), tls: config.tls };
  }
}
