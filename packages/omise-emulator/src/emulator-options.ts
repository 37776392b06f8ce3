import { type Logger } from '@omise-sync/core';

/** Faults injected on demand, per run (tests, benchmarks, chaos demos). All default to off. */
export interface Faults {
  /** Added to every Omise API response, in milliseconds. @defaultValue 0 */
  latencyMs: number;
  /** Uniform random extra latency in [0, latencyJitterMs), in milliseconds. @defaultValue 0 */
  latencyJitterMs: number;
  /** Share (0..1) of API requests answered 429 with `Retry-After`, not processed. @defaultValue 0 */
  rateLimitShare: number;
  /** `Retry-After` value sent with injected 429s, in seconds. @defaultValue 1 */
  retryAfterSeconds: number;
  /** Share (0..1) of API requests answered 500, 502 or 503, not processed. @defaultValue 0 */
  serverErrorShare: number;
  /** Share (0..1) of webhook deliveries silently dropped: never sent, never retried. @defaultValue 0 */
  webhookDropShare: number;
  /** Share (0..1) of webhook deliveries sent twice. @defaultValue 0 */
  webhookDuplicateShare: number;
  /** Hold deliveries in a small window and release them shuffled. @defaultValue false */
  webhookReorder: boolean;
  /** How many deliveries the reorder window holds before releasing them. @defaultValue 5 */
  webhookReorderWindow: number;
  /** Longest a held delivery waits for the window to fill, in milliseconds. @defaultValue 50 */
  webhookReorderMaxHoldMs: number;
  /** Delay before each delivery's first attempt, in milliseconds. @defaultValue 0 */
  webhookDelayMs: number;
  /** Uniform random extra delay in [0, webhookDelayJitterMs), in milliseconds. @defaultValue 0 */
  webhookDelayJitterMs: number;
}

export const NO_FAULTS: Readonly<Faults> = Object.freeze({
  latencyMs: 0,
  latencyJitterMs: 0,
  rateLimitShare: 0,
  retryAfterSeconds: 1,
  serverErrorShare: 0,
  webhookDropShare: 0,
  webhookDuplicateShare: 0,
  webhookReorder: false,
  webhookReorderWindow: 5,
  webhookReorderMaxHoldMs: 50,
  webhookDelayMs: 0,
  webhookDelayJitterMs: 0,
});

/** One webhook endpoint and the secrets its deliveries are signed with. */
export interface WebhookEndpoint {
  url: string;
  /**
   * Base64 webhook secrets. One signature per secret goes into `Omise-Signature`,
   * comma-separated (two while a secret is being rotated). Empty: deliveries are unsigned,
   * as Omise sends them before a secret has been created.
   */
  secrets: string[];
}

/** How webhook deliveries are attempted. */
export interface DeliveryOptions {
  /**
   * Delays before each retry of a failed delivery, in milliseconds; its length is the number
   * of retries. Omise publishes no schedule (API-NOTES §2.2), so this is a compressed
   * exponential one. @defaultValue [1000, 5000, 15000, 60000, 300000]
   */
  retryDelaysMs: number[];
  /** Deliveries in flight at once (also the keep-alive socket pool size). @defaultValue 256 */
  concurrency: number;
  /** An attempt that has not answered within this is a failure, in milliseconds. @defaultValue 10000 */
  timeoutMs: number;
}

export const DEFAULT_DELIVERY: Readonly<DeliveryOptions> = Object.freeze({
  retryDelaysMs: [1_000, 5_000, 15_000, 60_000, 300_000],
  concurrency: 256,
  timeoutMs: 10_000,
});

/** Documented test keys used when none are given. */
export const DEFAULT_SECRET_KEY = 'skey_test_emulator';
export const DEFAULT_PUBLIC_KEY = 'pkey_test_emulator';

/**
 * A further Omise account served by the same emulator: requests with its keys see only its
 * own objects and events, and its events go to its own webhooks, signed with its own secrets.
 */
export interface EmulatorAccountOptions {
  /** How tests and the admin API (`?account=NAME`) name it. */
  name: string;
  /** Secret key accepted on API endpoints; must differ from every other account's. */
  secretKey: string;
  /** Public key accepted on `/tokens`. @defaultValue `pkey_test_<name>` */
  publicKey?: string;
  /** Where its events are POSTed. @defaultValue [] */
  webhooks?: WebhookEndpoint[];
  /** Faults active from the start, for this account only. @defaultValue none */
  faults?: Partial<Faults>;
}

/** The name of the account `secretKey`, `webhooks` and `faults` configure. */
export const PRIMARY_ACCOUNT = 'default';

export interface EmulatorOptions {
  /** TCP port; 0 picks a free one. @defaultValue 0 */
  port?: number;
  /** Interface to listen on. @defaultValue '127.0.0.1' */
  host?: string;
  /** Secret key accepted on API endpoints. @defaultValue 'skey_test_emulator' */
  secretKey?: string;
  /** Public key accepted on `/tokens`. @defaultValue 'pkey_test_emulator' */
  publicKey?: string;
  /** Where events are POSTed. @defaultValue [] */
  webhooks?: WebhookEndpoint[];
  /** Faults active from the start. @defaultValue none */
  faults?: Partial<Faults>;
  /** Webhook delivery tuning. */
  delivery?: Partial<DeliveryOptions>;
  /** Clock for every timestamp the emulator writes, in epoch milliseconds. @defaultValue Date.now */
  now?: () => number;
  /** Seed for ids and every random decision; same seed, same run. @defaultValue random */
  seed?: string | number;
  /** State is loaded from this file at start (if it exists) and written to it on close. */
  snapshotFile?: string;
  /** pino logger. @defaultValue silent */
  logger?: Logger;
  /**
   * Further accounts beside the one `secretKey`/`webhooks`/`faults` configure (named
   * `default`); not saved in snapshots. @defaultValue []
   */
  accounts?: EmulatorAccountOptions[];
  /**
   * Serve the `/_emulator/*` admin API (reset, faults, scenarios, webhooks) over HTTP. A caller
   * that starts the emulator in-process has chosen to; the CLI keeps it off unless `--admin`.
   * @defaultValue true
   */
  adminApi?: boolean;
}
