import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { type Logger } from '@omise-sync/core';
import { type Request, type RequestHandler, type Response } from 'express';
import { type BacklogMonitor } from './backlog-monitor';
import { type DeliveryVerifier } from './delivery-verifier';
import { type EventEnqueuer } from './event-enqueuer';
import { type DeliveryOutcome, type ReceiverMetrics, UNKNOWN_ACCOUNT_LABEL } from './metrics';
import {
  DEFAULT_ACCOUNT,
  OmiseEventEnvelope,
  SpanKind,
  currentJobTraceContext,
  withSpan,
  describeIssues,
  toEventDisposition,
} from '@omise-sync/core';
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
  UnknownAccountError,
} from './receiver-errors';

/** What the route needs of one account: how its deliveries are verified and where they go. */
export interface WebhookAccount {
  /** Signature or fetch verification with this account's secrets or key. */
  verify: DeliveryVerifier;
  /** Adds to this account's queue. */
  enqueuer: Pick<EventEnqueuer, 'enqueue' | 'enqueueIgnored'>;
  /** This account's backlog ceiling. */
  backlog: Pick<BacklogMonitor, 'isFull'>;
}

export interface OmiseWebhookRouteDeps {
  logger: Logger;
  metrics: ReceiverMetrics;
  /** Every account served, by name (a Map, so `__proto__` in a URL finds nothing). */
  accounts: ReadonlyMap<string, WebhookAccount>;
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
  if (error instanceof UnknownAccountError) return 'unknown_account';
  return 'error';
}

/** The outcomes answered 2xx. */
type AcknowledgedOutcome = Extract<DeliveryOutcome, 'enqueued' | 'ignored'>;

/**
 * `POST /webhooks/omise/:account` (and `POST /webhooks/omise` for `default`): find the account,
 * read the raw body, prove it genuine, validate the envelope, and
 * acknowledge with 200 only once Redis holds the job (or already held it). Every failure is
 * counted and logged here, then passed on as a ReceiverError for the app's error handler.
 */
export function createOmiseWebhookHandler(
  deps: OmiseWebhookRouteDeps,
): RequestHandler<{ account?: string }> {
  const { metrics, logger: log } = deps;

  const answer = (
    res: Response,
    requestId: string,
    account: string,
    outcome: AcknowledgedOutcome,
    eventId: string,
  ) => {
    metrics.requests.inc({ account, outcome });
    const body =
      outcome === 'ignored'
        ? { received: true, eventId, ignored: true }
        : { received: true, eventId };
    res.set('X-Request-Id', requestId).status(200).json(body);
  };

  return async (req, res) => {
    const requestId = requestIdOf(req);
    const name = req.params.account ?? DEFAULT_ACCOUNT;
    const account = deps.accounts.get(name);
    // The metric label: a known account's name, never a name made up by the caller.
    const label = account === undefined ? UNKNOWN_ACCOUNT_LABEL : name;
    // One line per delivery, logged at the end with every field.
    let eventId: string | undefined;
    let key: string | undefined;
    try {
      if (account === undefined) throw new UnknownAccountError();
      const rawBody = await readRawBody(req, deps.bodyLimitBytes);
      const verified = await account.verify({ rawBody, headers: req.headers });

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

      const disposition = toEventDisposition(envelope, new Date(deps.now()), 'webhook', name);
      switch (disposition.kind) {
        case 'invalid':
          throw verified.fetched
            ? new BadUpstreamEventError(`Omise returned an invalid event: ${disposition.message}`)
            : new InvalidEventError('invalid_event', disposition.message);
        case 'ignore':
          // Acknowledged, never refused (a 4xx would make Omise retry it for days), and queued
          // so the worker records it with its key.
          metrics.ignored.inc({ account: label, object: disposition.objectType });
          break;
        case 'project':
          break;
      }

      let full: boolean;
      try {
        full = await account.backlog.isFull();
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
        await withSpan(
          'enqueue omise-event',
          {
            kind: SpanKind.PRODUCER,
            attributes: {
              'omise.account': name,
              'omise.event.id': eventId,
              'omise.event.key': key,
            },
          },
          async () => {
            // The job continues this span's trace in the worker (nothing when tracing is off).
            const trace = currentJobTraceContext();
            if (disposition.kind === 'project') {
              await account.enqueuer.enqueue(
                trace === undefined ? disposition.job : { ...disposition.job, trace },
              );
            } else {
              await account.enqueuer.enqueueIgnored(
                trace === undefined ? disposition.job : { ...disposition.job, trace },
              );
            }
          },
        );
      } catch (error) {
        throw new ServiceUnavailableError(
          'queue_unavailable',
          'the event queue is unavailable; try again later',
          deps.retryAfterSeconds,
          { cause: error },
        );
      }
      const enqueueMs = performance.now() - started;
      metrics.enqueueDuration.observe({ account: label }, enqueueMs / 1000);
      const outcome = disposition.kind === 'project' ? 'enqueued' : 'ignored';
      const about =
        disposition.kind === 'project'
          ? { resourceType: disposition.job.resourceType, resourceId: disposition.job.resourceId }
          : { object: disposition.objectType };
      log.info(
        {
          requestId,
          account: name,
          eventId,
          key,
          ...about,
          enqueueMs: Math.round(enqueueMs * 100) / 100,
          outcome,
        },
        outcome === 'enqueued' ? 'event enqueued' : 'event ignored; queued to be recorded',
      );
      answer(res, requestId, label, outcome, eventId);
    } catch (error) {
      // The app's error handler answers; every answer carries the request id.
      if (!res.headersSent) res.setHeader('X-Request-Id', requestId);
      const outcome = outcomeOf(error);
      metrics.requests.inc({ account: label, outcome });
      const event = eventId === undefined ? {} : { eventId, key };
      if (error instanceof UnknownAccountError) {
        log.warn({ requestId, outcome }, 'delivery rejected: no such account');
      } else if (error instanceof UnauthenticatedDeliveryError) {
        metrics.verificationFailures.inc({ account: label, reason: error.reason });
        log.warn(
          { requestId, account: name, outcome, reason: error.reason },
          'delivery rejected: not proven genuine',
        );
      } else if (error instanceof ServiceUnavailableError) {
        const fields = {
          requestId,
          account: name,
          ...event,
          outcome,
          code: error.code,
          err: error.cause,
        };
        if (error.code === 'backlog_full') log.warn(fields, 'delivery deferred: backlog full');
        else log.error(fields, 'delivery deferred: could not hand the event over');
      } else if (error instanceof RequestAbortedError) {
        log.info({ requestId, outcome }, 'client went away before sending the whole body');
      } else if (error instanceof ReceiverError) {
        log.warn(
          { requestId, account: label, ...event, outcome, code: error.code, detail: error.message },
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
