import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { type Logger } from '@omise-sync/core';
import { type Request, type RequestHandler, type Response } from 'express';
import { type BacklogMonitor } from './backlog-monitor';
import { type DeliveryVerifier } from './delivery-verifier';
import { type EventEnqueuer } from './event-enqueuer';
import { type DeliveryOutcome, type ReceiverMetrics } from './metrics';
import { OmiseEventEnvelope, describeIssues, toEventDisposition } from '@omise-sync/core';
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
  enqueuer: Pick<EventEnqueuer, 'enqueue' | 'enqueueIgnored'>;
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
type AcknowledgedOutcome = Extract<DeliveryOutcome, 'enqueued' | 'ignored'>;

/**
 * `POST /webhooks/omise`: read the raw body, prove it genuine, validate the envelope, and
 * acknowledge with 200 only once Redis holds the job (or already held it). Every failure is
 * counted and logged here, then passed on as a ReceiverError for the app's error handler.
 */
export function createOmiseWebhookHandler(deps: OmiseWebhookRouteDeps): RequestHandler {
  const { metrics, logger: log } = deps;

  const answer = (
    res: Response,
    requestId: string,
    outcome: AcknowledgedOutcome,
    eventId: string,
  ) => {
    metrics.requests.inc({ outcome });
    const body =
      outcome === 'ignored'
        ? { received: true, eventId, ignored: true }
        : { received: true, eventId };
    res.set('X-Request-Id', requestId).status(200).json(body);
  };

  return async (req, res) => {
    const requestId = requestIdOf(req);
    // One line per delivery, logged at the end with every field.
    let eventId: string | undefined;
    let key: string | undefined;
    try {
      const rawBody = await readRawBody(req, deps.bodyLimitBytes);
      const verified = await deps.verify({ rawBody, headers: req.headers });

      const parsed = OmiseEventEnvelope.safeParse(verified.event);
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
          // Acknowledged, never refused (a 4xx would make Omise retry it for days), and queued
          // so the worker records it with its key.
          metrics.ignored.inc({ object: disposition.objectType });
          break;
        case 'project':
          break;
      }

      let full: boolean;
      try {
        full = await deps.backlog.isFull();
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

      const started = performance.now();
      try {
        if (disposition.kind === 'project') await deps.enqueuer.enqueue(disposition.job);
        else await deps.enqueuer.enqueueIgnored(disposition.job);
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
      const outcome = disposition.kind === 'project' ? 'enqueued' : 'ignored';
      const about =
        disposition.kind === 'project'
          ? { resourceType: disposition.job.resourceType, resourceId: disposition.job.resourceId }
          : { object: disposition.objectType };
      log.info(
        {
          requestId,
          eventId,
          key,
          ...about,
          enqueueMs: Math.round(enqueueMs * 100) / 100,
          outcome,
        },
        outcome === 'enqueued' ? 'event enqueued' : 'event ignored; queued to be recorded',
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
