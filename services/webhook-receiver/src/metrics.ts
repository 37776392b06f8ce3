import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { type SignatureFailureReason } from './webhook-signature';

/** How a delivery ended; the `outcome` label of `omise_webhook_requests_total`. */
export type DeliveryOutcome =
  | 'enqueued'
  | 'ignored'
  | 'unauthenticated'
  | 'invalid'
  | 'too_large'
  | 'unavailable'
  | 'bad_upstream'
  | 'aborted'
  | 'unknown_account'
  | 'error';

/**
 * The `account` label of a delivery to an account this deployment does not serve. The name in
 * the URL is never a label value (anyone could make up names without end); this one cannot be
 * an account name, which has no underscore.
 */
export const UNKNOWN_ACCOUNT_LABEL = '_unknown';

/** Why verification failed; signature reasons, plus the ones of fetch mode. */
export type VerificationFailureReason = SignatureFailureReason | 'event_not_found';

export interface ReceiverMetricsOptions {
  /**
   * Read at scrape time for `omise_webhook_queue_depth`, per account; a failure leaves that
   * account's last value.
   */
  queueDepths?: ReadonlyMap<string, () => Promise<number>>;
  /**
   * Also export Node's process metrics (CPU, memory, event-loop lag, GC).
   * @defaultValue false
   */
  processMetrics?: boolean;
}

/**
 * The receiver's Prometheus metrics, on a registry of their own (never prom-client's global
 * one, so two receivers in one process, as in tests, do not collide).
 */
export class ReceiverMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'account' | 'outcome'>;
  readonly verificationFailures: Counter<'account' | 'reason'>;
  readonly ignored: Counter<'account' | 'object'>;
  readonly enqueueDuration: Histogram<'account'>;
  readonly refusedConnections: Counter<'reason'>;

  constructor(options: ReceiverMetricsOptions = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'omise_webhook_requests_total',
      help: 'Webhook deliveries by account and outcome.',
      labelNames: ['account', 'outcome'],
      registers,
    });
    this.verificationFailures = new Counter({
      name: 'omise_webhook_verification_failures_total',
      help: 'Deliveries that could not be proven to come from Omise, by account and reason.',
      labelNames: ['account', 'reason'],
      registers,
    });
    this.ignored = new Counter({
      name: 'omise_webhook_ignored_total',
      help: 'Genuine events acknowledged without enqueueing, by the type of object they carry.',
      labelNames: ['account', 'object'],
      registers,
    });
    this.enqueueDuration = new Histogram({
      name: 'omise_webhook_enqueue_duration_seconds',
      help: 'Time from handing a job to the enqueuer until Redis confirmed it, by account.',
      labelNames: ['account'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.refusedConnections = new Counter({
      name: 'omise_webhook_refused_connections_total',
      help: 'Connections the server refused or cut: over RECEIVER_MAX_CONNECTIONS, too slow, or not HTTP (before any request names an account, so no account label).',
      labelNames: ['reason'],
      registers,
    });
    const queueDepths = options.queueDepths ?? new Map<string, () => Promise<number>>();
    new Gauge({
      name: 'omise_webhook_queue_depth',
      help: "Jobs waiting in each account's event queue (read at scrape time).",
      labelNames: ['account'],
      registers,
      async collect() {
        await Promise.all(
          [...queueDepths].map(async ([account, depth]) => {
            try {
              this.set({ account }, await depth());
            } catch {
              // Redis is down: keep the last value; the requests counter shows the outage.
            }
          }),
        );
      },
    });
    if (options.processMetrics === true) {
      collectDefaultMetrics({ register: this.registry });
    }
  }
}
