import { type Server, type ServerOptions } from 'node:http';
import { type Socket } from 'node:net';
import { type Logger } from '@omise-sync/core';
import { type ReceiverMetrics } from './metrics';

/** How long a client may take and how many may be connected at once. */
export interface ServerLimits {
  /** Milliseconds a client has to send the request headers. */
  headersTimeoutMs: number;
  /** Milliseconds a client has to send the whole request, body included. */
  requestTimeoutMs: number;
  /** Milliseconds an idle keep-alive connection is kept open. */
  keepAliveTimeoutMs: number;
  /** Connections open at once; more are closed as soon as they are accepted. */
  maxConnections: number;
}

/**
 * Options for `http.createServer`. Node looks for timed-out requests only every
 * `connectionsCheckingInterval` (30 s by default), which would let a trickled body live up to
 * 30 s past `requestTimeoutMs`; once a second keeps the limits close to what they say.
 */
export function serverLimitOptions(limits: ServerLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
  };
}

/** Why the server itself closed a client's connection (`reason` of the refusals counter). */
export type RefusalReason = 'connection_limit' | 'timeout' | 'malformed';

/** The answer node would send for each client error, written by us because we listen for them. */
const ANSWERS: Record<Exclude<RefusalReason, 'connection_limit'>, string> = {
  timeout: 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
  malformed: 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
};

/**
 * Caps the server's connections and counts and logs every connection the server refuses or
 * cuts: over the cap, too slow (headers or body), or not HTTP. Logs are at most one line a
 * second per reason, with the count since the last line, so a flood does not flood the log.
 */
export function guardConnections(
  server: Server,
  options: {
    maxConnections: number;
    metrics: ReceiverMetrics;
    logger: Logger;
    now: () => number;
  },
): void {
  server.maxConnections = options.maxConnections;
  const unlogged = new Map<RefusalReason, { count: number; loggedAtMs: number }>();
  const refuse = (reason: RefusalReason) => {
    options.metrics.refusedConnections.inc({ reason });
    const entry = unlogged.get(reason) ?? { count: 0, loggedAtMs: Number.NEGATIVE_INFINITY };
    entry.count += 1;
    unlogged.set(reason, entry);
    const nowMs = options.now();
    if (nowMs - entry.loggedAtMs < 1_000) return;
    options.logger.warn(
      { reason, refused: entry.count, maxConnections: options.maxConnections },
      'connections refused or cut by the server',
    );
    entry.count = 0;
    entry.loggedAtMs = nowMs;
  };
  server.on('drop', () => refuse('connection_limit'));
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // A client that went away is not refused; there is nobody to answer.
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const reason = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'timeout' : 'malformed';
    refuse(reason);
    socket.end(ANSWERS[reason]);
  });
}
