import {
  type OmiseClient,
  createOmiseClient,
  createTokenBucketRateLimiter,
} from '@omise-sync/omise-client';
import type { WorkerAccountConfig } from './config';
import type { WorkerAccount } from './create-worker';
import type { WorkerMetrics } from './metrics';
import { type PooledFetch, createPooledFetch } from './pooled-fetch';

/** The Omise clients of every account, and how to close their connections. */
export interface AccountClients {
  accounts: WorkerAccount[];
  close(): Promise<void>;
}

/**
 * One Omise client per account, each with its own key, rate limiter and connection pool: a
 * pool shared by accounts on one origin would let a slow account hold every connection.
 */
export function createAccountClients(
  accounts: readonly WorkerAccountConfig[],
  options: {
    /** Keep-alive connections per account (OMISE_MAX_CONNECTIONS). */
    connections: number;
    timeoutMs: number;
    metrics: WorkerMetrics;
  },
): AccountClients {
  const transports: PooledFetch[] = [];
  const clients = accounts.map((account): WorkerAccount => {
    const transport = createPooledFetch({ connections: options.connections });
    transports.push(transport);
    const omise: OmiseClient = createOmiseClient({
      fetch: transport.fetch,
      secretKey: account.secretKey,
      baseUrl: account.apiUrl,
      timeoutMs: options.timeoutMs,
      // One quick retry for blips; longer outages are BullMQ's exponential backoff.
      maxRetries: 1,
      onResponse: options.metrics.recordOmiseResponseOf(account.name),
      ...(account.rateLimitRps === undefined
        ? {}
        : {
            rateLimiter: createTokenBucketRateLimiter({
              requestsPerSecond: account.rateLimitRps,
              burst: Math.max(1, Math.ceil(account.rateLimitRps)),
            }),
          }),
    });
    return { name: account.name, omise };
  });
  return {
    accounts: clients,
    close: async () => {
      await Promise.allSettled(transports.map((transport) => transport.close()));
    },
  };
}
