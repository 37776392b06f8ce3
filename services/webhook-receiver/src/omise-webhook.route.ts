import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { type Logger } from '@omise-sync/core';
import { type Request, type RequestHandler, type Response } from 'express';
import { type Counter } from 'prom-client';
import { type BacklogMonitor } from './backlog-monitor';
import { type DeliveryVerifier } from './delivery-verifier';
import { type EventEnqueuer } from './event-enqueuer';
import { type DeliveryOutcome, type ReceiverMetrics } from './metrics';
import { describeIssues, toEventDisposition, validateOmiseEventEnvelope } from '@omise-sync/core';
import { readRawBody } from './read-raw-body';
import {
  BadUpstreamEventError,
  InternalReceiverError,
  InvalidEventError,
  PayloadTooLargeError,
  ReceiverError,
  RequestAbortedError,
  ServiceUnavailableError,
  UnauthenticatedDeliveryError,
} from './receiver-errors';

export interface OmiseWebhookRouteDeps {
  logger: Logger;
  metrics: ReceiverMetrics;
  /** Signature or fetch verification (see delivery-verifier.ts). */
  verify: DeliveryVerifier;
  enqueuer: Pick<EventEnqueuer, 'enqueue'>;
  backlog: Pick<BacklogMonitor, 'isFull'>;
  /** Largest accepted body, in bytes. */
  bodyLimitBytes: number;
  /** Seconds sent in `Retry-After` with a 503. */
  retryAfterSeconds: number;
  /** Clock in milliseconds since the epoch (receivedAt). */
  now: () => number;
}

// Echoed into logs and the response, so only a conservative alphabet is accepted.
const REQUEST_ID = /^[\w.:@-]{1,128}$/;

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

function requestIdOf(req: Request): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

function outcomeOf(error: unknown): DeliveryOutcome {
  if (error instanceof UnauthenticatedDeliveryError) return 'unauthenticated';
  if (error instanceof InvalidEventError) return 'invalid';
  if (error instanceof PayloadTooLargeError) return 'too_large';
  if (error instanceof ServiceUnavailableError) return 'unavailable';
  if (error instanceof BadUpstreamEventError) return 'bad_upstream';
  if (error instanceof RequestAbortedError) return 'aborted';
  return 'error';
}

/** The outcomes answered 2xx. */
type AcknowledgedOutcome = Extract<DeliveryOutcome, 'enqueued' | 'duplicate' | 'ignored'>;

/**
 * The 2xx body, written directly: event ids are `evnt_` and `[A-Za-z0-9_]` only (OmiseEventId,
 * checked before anything is acknowledged), so they need no escaping and the body is ASCII.
 */
function acknowledgement(eventId: string, outcome: AcknowledgedOutcome): string {
  return outcome === 'enqueued'
    ? `{"received":true,"eventId":"${eventId}"}`
    : `{"received":true,"eventId":"${eventId}","${outcome}":true}`;
}

/**
 * `POST /webhooks/omise`: read the raw body, prove it genuine, validate the envelope, and
 * acknowledge with 200 only once Redis holds the job (or already held it). Every failure is
 * counted and logged here, then passed on as a ReceiverError for the app's error handler.
 *
 * This is the receiver's hot path, and it is CPU-bound: per delivery it waits only for the
 * body and for Redis (signature checks and a fresh backlog count are synchronous), keeps
 * nothing of the parsed event across the wait but the four strings it logs, and answers and
 * counts without going through express's response helpers or prom-client's label lookup.
 */
export function createOmiseWebhookHandler(deps: OmiseWebhookRouteDeps): RequestHandler {
  const { metrics, logger: log } = deps;
  const acknowledged: Record<AcknowledgedOutcome, Counter.Internal> = {
    enqueued: metrics.requests.labels('enqueued'),
    duplicate: metrics.requests.labels('duplicate'),
    ignored: metrics.requests.labels('ignored'),
  };

  const answer = (
    res: Response,
    requestId: string,
    outcome: AcknowledgedOutcome,
    eventId: string,
  ) => {
    acknowledged[outcome].inc();
    const json = acknowledgement(eventId, outcome);
    // Straight through node's writeHead/end: express's res.status().json() → send → end chain
    // cost ~15 µs of CPU per delivery (a fifth of the whole answer) and adds nothing here.
    // Headers set earlier (`Connection: close` during shutdown) are merged by writeHead.
    res
      .writeHead(200, [
        'Content-Type',
        JSON_CONTENT_TYPE,
        'Content-Length',
        String(json.length),
        'X-Request-Id',
        requestId,
      ])
      .end(json);
  };

  return async (req, res) => {
    const requestId = requestIdOf(req);
    // One line per delivery, logged at the end with every field; no child() per request,
    // because with the shared redaction config each child() costs another redaction pass.
    let eventId: string | undefined;
    let key: string | undefined;
    try {
      const rawBody = await readRawBody(req, deps.bodyLimitBytes);
      const verifying = deps.verify({ rawBody, headers: req.headers });
      const verified = verifying instanceof Promise ? await verifying : verifying;

      const parsed = validateOmiseEventEnvelope(verified.event);
      if (!parsed.success) {
        const message = describeIssues(parsed.error);
        throw verified.fetched
          ? new BadUpstreamEventError(`Omise returned an invalid event: ${message}`)
          : new InvalidEventError('invalid_event', message);
      }
      const envelope = parsed.data;
      eventId = envelope.id;
      key = envelope.key;

      const disposition = toEventDisposition(envelope, new Date(deps.now()), 'webhook');
      switch (disposition.kind) {
        case 'invalid':
          throw verified.fetched
            ? new BadUpstreamEventError(`Omise returned an invalid event: ${disposition.message}`)
            : new InvalidEventError('invalid_event', disposition.message);
        case 'ignore':
          // Acknowledged, never refused: a 4xx would make Omise retry it for days.
          metrics.ignored.inc({ object: disposition.objectType });
          log.info(
            { requestId, eventId, key, object: disposition.objectType, outcome: 'ignored' },
            'event ignored',
          );
          answer(res, requestId, 'ignored', eventId);
          return;
        case 'project':
          break;
      }

      let full: boolean;
      try {
        const checking = deps.backlog.isFull();
        full = checking instanceof Promise ? await checking : checking;
      } catch (error) {
        throw new ServiceUnavailableError(
          'queue_unavailable',
          'the event queue is unavailable; try again later',
          deps.retryAfterSeconds,
          { cause: error },
        );
      }
      if (full) {
        throw new ServiceUnavailableError(
          'backlog_full',
          'too many events are waiting; try again later',
          deps.retryAfterSeconds,
        );
      }

      const { resourceType, resourceId } = disposition.job;
      const started = performance.now();
      let duplicate: boolean;
      try {
        ({ duplicate } = await deps.enqueuer.enqueue(disposition.job, verified.eventJson));
      } catch (error) {
        throw new ServiceUnavailableError(
          'queue_unavailable',
          'the event queue is unavailable; try again later',
          deps.retryAfterSeconds,
          { cause: error },
        );
      }
      const enqueueMs = performance.now() - started;
      metrics.enqueueDuration.observe(enqueueMs / 1000);
      const outcome = duplicate ? 'duplicate' : 'enqueued';
      if (duplicate) metrics.duplicates.inc();
      log.info(
        {
          requestId,
          eventId,
          key,
          resourceType,
          resourceId,
          enqueueMs: Math.round(enqueueMs * 100) / 100,
          outcome,
        },
        duplicate ? 'event already enqueued' : 'event enqueued',
      );
      answer(res, requestId, outcome, eventId);
    } catch (error) {
      // The app's error handler answers; every answer carries the request id.
      if (!res.headersSent) res.setHeader('X-Request-Id', requestId);
      const outcome = outcomeOf(error);
      metrics.requests.inc({ outcome });
      const event = eventId === undefined ? {} : { eventId, key };
      if (error instanceof UnauthenticatedDeliveryError) {
        metrics.verificationFailures.inc({ reason: error.reason });
        log.warn(
          { requestId, outcome, reason: error.reason },
          'delivery rejected: not proven genuine',
        );
      } else if (error instanceof ServiceUnavailableError) {
        const fields = { requestId, ...event, outcome, code: error.code, err: error.cause };
        if (error.code === 'backlog_full') log.warn(fields, 'delivery deferred: backlog full');
        else log.error(fields, 'delivery deferred: could not hand the event over');
      } else if (error instanceof RequestAbortedError) {
        log.info({ requestId, outcome }, 'client went away before sending the whole body');
      } else if (error instanceof ReceiverError) {
        log.warn(
          { requestId, ...event, outcome, code: error.code, detail: error.message },
          'delivery rejected',
        );
      } else {
        log.error({ requestId, ...event, outcome, err: error }, 'delivery failed');
        throw new InternalReceiverError('internal error', { cause: error });
      }
      throw error;
    }
  };
}
