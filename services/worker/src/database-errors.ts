// Errors that mean "Postgres is not reachable right now", as opposed to "this query is wrong".
// Jobs that hit them are postponed without spending an attempt, so an outage loses nothing.

/** Node socket errors on the way to Postgres. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * SQLSTATEs of an unavailable server: admin_shutdown, crash_shutdown, cannot_connect_now
 * (starting up or in recovery), too_many_connections. Class 08 (connection exceptions) is
 * matched by prefix.
 */
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** pg's own messages for a connection that died or never came up (they carry no code). */
const PG_MESSAGES = [
  'Connection terminated',
  'connection timeout',
  'Client has encountered a connection error',
  'Client was closed and is not queryable',
];

function codeOf(error: object): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * True when `error` (or its cause, or any error of an AggregateError) says Postgres could not
 * be reached or dropped the connection. Call it only for errors that did not come from the
 * Omise client, whose connection errors are its own.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false;
  const code = codeOf(error);
  if (code !== undefined && (SOCKET_CODES.has(code) || SQLSTATES.has(code) || /^08/.test(code))) {
    return true;
  }
  const message = (error as { message?: unknown }).message;
  if (typeof message === 'string' && PG_MESSAGES.some((text) => message.includes(text))) {
    return true;
  }
  // Checked by shape, not instanceof: errors from other realms (vm contexts) fail instanceof.
  const errors = (error as { errors?: unknown }).errors;
  if (Array.isArray(errors) && errors.some((e) => isDatabaseUnavailable(e, depth + 1))) {
    return true;
  }
  return isDatabaseUnavailable((error as { cause?: unknown }).cause, depth + 1);
}
