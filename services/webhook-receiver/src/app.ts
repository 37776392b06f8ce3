import {
  type Logger,
  type RedisConnection,
  SpanKind,
  contextOfHeaders,
  recordSpanError,
  runInSpan,
  startSpan,
} from '@omise-sync/core';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { type ReceiverMetrics } from './metrics';
import { type WebhookAccount, createOmiseWebhookHandler } from './omise-webhook.route';
import { PayloadTooLargeError, ReceiverError, RequestAbortedError } from './receiver-errors';

/**
 * Path Omise POSTs the `default` account's events to; every account also has
 * `${WEBHOOK_PATH}/<account>` (register that URL in each account's dashboard).
 */
export const WEBHOOK_PATH = '/webhooks/omise';

export interface ReceiverAppDeps {
  logger: Logger;
  metrics: ReceiverMetrics;
  /** Every account served, by name: its verifier, its queue and its backlog ceiling. */
  accounts: ReadonlyMap<string, WebhookAccount>;
  /** The queue's Redis connection, pinged by `/readyz`. */
  connection: RedisConnection;
  /** Largest accepted body, in bytes. */
  bodyLimitBytes: number;
  /** Seconds sent in `Retry-After` with every 503. */
  retryAfterSeconds: number;
  /** Clock in milliseconds since the epoch. @defaultValue Date.now */
  now?: () => number;
  /** True once shutdown has begun: `/readyz` answers 503 so load balancers stop sending. */
  isShuttingDown?: () => boolean;
}

/**
 * The delivery's server span, the root of its trace (continuing a `traceparent` header when a
 * proxy sent one): the route's spans and the job it enqueues follow it. With tracing off the
 * span does not record and nothing else happens.
 */
const traceDelivery: RequestHandler = (req, res, next) => {
  const span = startSpan(`POST ${WEBHOOK_PATH}`, {
    kind: SpanKind.SERVER,
    parent: contextOfHeaders(req.headers),
    attributes: { 'http.request.method': 'POST', 'http.route': WEBHOOK_PATH },
  });
  if (!span.isRecording()) {
    next();
    return;
  }
  res.once('close', () => {
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500) recordSpanError(span, new Error(`status ${res.statusCode}`));
    span.end();
  });
  runInSpan(span, next);
};

/**
 * The receiver's HTTP app. No body parser is mounted globally: the webhook route reads the
 * raw bytes itself, because the signature covers them exactly.
 */
export function createApp(deps: ReceiverAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');

  // First, because the router tries routes in order and these take nearly all the traffic.
  app.post(
    [WEBHOOK_PATH, `${WEBHOOK_PATH}/:account`],
    traceDelivery,
    createOmiseWebhookHandler({
      logger: deps.logger,
      metrics: deps.metrics,
      accounts: deps.accounts,
      bodyLimitBytes: deps.bodyLimitBytes,
      retryAfterSeconds: deps.retryAfterSeconds,
      now: deps.now ?? Date.now,
    }),
  );

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    if (deps.isShuttingDown?.() === true) {
      res.status(503).json({ status: 'shutting_down' });
      return;
    }
    try {
      if (deps.connection.status !== 'ready') throw new Error(deps.connection.status);
      await deps.connection.ping();
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'redis_unavailable' });
    }
  });

  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: 'no such route' } });
  });

  const errorHandler: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
    if (error instanceof RequestAbortedError) return;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (error instanceof ReceiverError) {
      if (error.retryAfterSeconds !== undefined) {
        res.setHeader('Retry-After', String(error.retryAfterSeconds));
      }
      // The rest of an oversized body is not worth reading: close instead of draining it.
      if (error instanceof PayloadTooLargeError) res.setHeader('Connection', 'close');
      res.status(error.status).json({ error: { code: error.code, message: error.message } });
      return;
    }
    // Errors raised by express itself before any route ran (e.g. a malformed URL).
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json({ error: { code: 'bad_request', message: 'bad request' } });
      return;
    }
    deps.logger.error({ err: error }, 'unhandled error');
    res.status(500).json({ error: { code: 'internal_error', message: 'internal error' } });
  };
  app.use(errorHandler);
  return app;
}
