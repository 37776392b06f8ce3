import http from 'node:http';
import https from 'node:https';
import { type Logger } from '@omise-sync/core';
import { type DeliveryOptions, type Faults, type WebhookEndpoint } from './emulator-options';
import { type EventState } from './resource-types';
import { renderEvent, toOmiseJson } from './resource-render';
import { type SeededRandom, createOmiseId } from './seeded-random';
import { signWebhookPayload } from './webhook-signature';

/** Delivery counters since start (or the last reset). */
export interface DeliveryStats {
  /** HTTP attempts made (first tries and retries). */
  attempted: number;
  /** Deliveries that got a 2xx. */
  succeeded: number;
  /** Deliveries that ran out of retries. */
  failed: number;
  /** Retries scheduled after a failed attempt. */
  retried: number;
  /** Deliveries dropped by the `webhookDropShare` fault (never sent, never retried). */
  dropped: number;
  /** Extra copies sent by the `webhookDuplicateShare` fault. */
  duplicated: number;
  /** Deliveries not finished yet: queued, delayed, held for reordering, in flight or awaiting a retry. */
  pending: number;
}

interface DeliveryJob {
  event: EventState;
  url: string;
  secrets: readonly string[];
  /** Attempts made so far. */
  attempts: number;
}

export interface WebhookDispatcherDeps {
  random: SeededRandom;
  now: () => number;
  logger: Logger;
  options: DeliveryOptions;
  faults: () => Faults;
  endpoints: () => readonly WebhookEndpoint[];
}

/**
 * Posts each event to every webhook endpoint, signed like Omise, with retries on failure and
 * the webhook faults applied (drop, duplicate, delay, reorder). Timers are unref'd and all
 * cancelled by `close()`, so a test process exits on its own.
 */
export class WebhookDispatcher {
  private readonly queue: DeliveryJob[] = [];
  private queueHead = 0;
  private inFlight = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private held: DeliveryJob[] = [];
  private holdTimer: NodeJS.Timeout | null = null;
  private readonly idleWaiters: Array<() => void> = [];
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private closed = false;
  private counters: Omit<DeliveryStats, 'pending'> = emptyCounters();
  private pending = 0;

  constructor(private readonly deps: WebhookDispatcherDeps) {
    const agentOptions = { keepAlive: true, maxSockets: deps.options.concurrency };
    this.httpAgent = new http.Agent(agentOptions);
    this.httpsAgent = new https.Agent(agentOptions);
  }

  stats(): DeliveryStats {
    return { ...this.counters, pending: this.pending };
  }

  /** Resolves once nothing is queued, delayed, held, in flight or waiting for a retry. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Fans one event out to its endpoints (the charge's own `webhook_endpoints` if it has them). */
  dispatch(event: EventState): void {
    if (this.closed) return;
    const endpoints = this.deps.endpoints();
    const targets: ReadonlyArray<{ url: string; secrets: readonly string[] }> =
      event.endpointOverride === null
        ? endpoints
        : event.endpointOverride.map((url) => ({
            url,
            // Omise's webhook secret belongs to the account, not to an endpoint.
            secrets: endpoints.find((e) => e.url === url)?.secrets ?? endpoints[0]?.secrets ?? [],
          }));
    const faults = this.deps.faults();
    const { random } = this.deps;
    for (const target of targets) {
      if (random.chance(faults.webhookDropShare)) {
        this.counters.dropped++;
        this.deps.logger.debug({ eventId: event.id, url: target.url }, 'webhook dropped (fault)');
        continue;
      }
      const copies = random.chance(faults.webhookDuplicateShare) ? 2 : 1;
      if (copies === 2) this.counters.duplicated++;
      for (let i = 0; i < copies; i++) {
        this.pending++;
        this.admit({ event, url: target.url, secrets: target.secrets, attempts: 0 }, faults);
      }
    }
  }

  /** First-attempt path: optional delay, then the optional reorder window, then the queue. */
  private admit(job: DeliveryJob, faults: Faults): void {
    const delay =
      faults.webhookDelayMs +
      (faults.webhookDelayJitterMs > 0 ? this.deps.random.next() * faults.webhookDelayJitterMs : 0);
    if (delay > 0) {
      this.after(delay, () => this.reorderOrEnqueue(job));
    } else {
      this.reorderOrEnqueue(job);
    }
  }

  private reorderOrEnqueue(job: DeliveryJob): void {
    const faults = this.deps.faults();
    if (!faults.webhookReorder || faults.webhookReorderWindow <= 1) {
      this.enqueue(job);
      return;
    }
    this.held.push(job);
    if (this.held.length >= faults.webhookReorderWindow) {
      this.releaseHeld();
    } else if (this.holdTimer === null) {
      this.holdTimer = this.after(faults.webhookReorderMaxHoldMs, () => {
        this.holdTimer = null;
        this.releaseHeld();
      });
    }
  }

  private releaseHeld(): void {
    if (this.holdTimer !== null) {
      clearTimeout(this.holdTimer);
      this.timers.delete(this.holdTimer);
      this.holdTimer = null;
    }
    const batch = this.held;
    const original = [...batch];
    this.held = [];
    // Fisher-Yates with the seeded PRNG; a shuffle that leaves the order intact is reversed
    // so a reorder fault always reorders when it holds more than one delivery.
    for (let i = batch.length - 1; i > 0; i--) {
      const j = Math.floor(this.deps.random.next() * (i + 1));
      [batch[i], batch[j]] = [batch[j] as DeliveryJob, batch[i] as DeliveryJob];
    }
    if (batch.length > 1 && batch.every((job, i) => job === original[i])) batch.reverse();
    for (const job of batch) this.enqueue(job);
  }

  private enqueue(job: DeliveryJob): void {
    if (this.closed) {
      this.finish();
      return;
    }
    this.queue.push(job);
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < this.deps.options.concurrency && this.queueHead < this.queue.length) {
      const job = this.queue[this.queueHead] as DeliveryJob;
      this.queueHead++;
      this.inFlight++;
      void this.attempt(job).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
  }

  private payloadOf(event: EventState): string {
    event.payload ??= toOmiseJson(renderEvent(event, []));
    return event.payload;
  }

  private async attempt(job: DeliveryJob): Promise<void> {
    job.attempts++;
    this.counters.attempted++;
    const body = this.payloadOf(job.event);
    const startedAt = this.deps.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      status = await this.post(job.url, body, job.secrets);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    job.event.deliveries.push({
      id: createOmiseId(this.deps.random, 'whdl'),
      uri: job.url,
      status,
      key: job.event.key,
      error,
      createdAt: startedAt,
    });
    const ok = status !== null && status >= 200 && status < 300;
    const log = this.deps.logger.child({
      eventId: job.event.id,
      url: job.url,
      attempt: job.attempts,
    });
    if (ok) {
      this.counters.succeeded++;
      log.debug({ status }, 'webhook delivered');
      this.finish();
      return;
    }
    const delays = this.deps.options.retryDelaysMs;
    const delay = delays[job.attempts - 1];
    if (delay === undefined || this.closed) {
      this.counters.failed++;
      log.warn({ status, error }, 'webhook delivery failed, no retries left');
      this.finish();
      return;
    }
    this.counters.retried++;
    log.info({ status, error, retryInMs: delay }, 'webhook delivery failed, will retry');
    this.after(delay, () => this.enqueue(job));
  }

  private post(url: string, body: string, secrets: readonly string[]): Promise<number> {
    const target = new URL(url);
    const isHttps = target.protocol === 'https:';
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'OmiseEmulator-Webhook/0.1',
    };
    if (secrets.length > 0) {
      const timestamp = Math.floor(this.deps.now() / 1000);
      headers['omise-signature'] = signWebhookPayload(body, secrets, timestamp);
      headers['omise-signature-timestamp'] = String(timestamp);
    }
    const request = isHttps ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = request(
        target,
        {
          method: 'POST',
          headers,
          agent: isHttps ? this.httpsAgent : this.httpAgent,
          timeout: this.deps.options.timeoutMs,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`timed out after ${this.deps.options.timeoutMs} ms`)),
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  private after(ms: number, fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    this.timers.add(timer);
    return timer;
  }

  private finish(): void {
    this.pending--;
    if (this.pending === 0) {
      const waiters = this.idleWaiters.splice(0);
      for (const resolve of waiters) resolve();
    }
  }

  /** Forgets queued, delayed, held and retrying deliveries (in-flight ones still finish). */
  cancelPending(): void {
    for (const timer of this.timers) clearTimeout(timer);
    const cancelled = this.timers.size - (this.holdTimer === null ? 0 : 1);
    this.timers.clear();
    this.holdTimer = null;
    const dropped = this.held.length + (this.queue.length - this.queueHead) + cancelled;
    this.held = [];
    this.queue.length = 0;
    this.queueHead = 0;
    for (let i = 0; i < dropped; i++) this.finish();
  }

  resetStats(): void {
    this.counters = emptyCounters();
  }

  /** Stops new deliveries, cancels scheduled ones, waits for in-flight ones, closes sockets. */
  async close(): Promise<void> {
    this.closed = true;
    this.cancelPending();
    await this.idle();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function emptyCounters(): Omit<DeliveryStats, 'pending'> {
  return { attempted: 0, succeeded: 0, failed: 0, retried: 0, dropped: 0, duplicated: 0 };
}
