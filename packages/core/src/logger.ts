import { pino, type Logger, type LoggerOptions } from 'pino';

/**
 * Paths pino replaces with "[redacted]". Signature headers, Basic credentials and anything
 * named like a key or secret never reach the logs; card data is never logged in the first
 * place (the worker logs ids, not resources).
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["omise-signature"]',
  'req.headers["omise-signature-timestamp"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["omise-signature"]',
  '*.secretKey',
  '*.secret',
  '*.secrets',
  '*.password',
  '*.authorization',
  'secretKey',
  'secrets',
  'card',
  '*.card',
];

/** What a redacted value is replaced with. */
export const REDACTION_CENSOR = '[redacted]';

export interface CreateLoggerOptions {
  /** Service name, bound to every line as `service`. */
  name: string;
  /** @defaultValue 'info' */
  level?: LoggerOptions['level'];
  /**
   * Where lines go. Tests pass a stream to read them back.
   * @defaultValue stdout, one synchronous write per line (`pino.destination({ sync: true })`)
   */
  destination?: pino.DestinationStream;
}

/**
 * A pino JSON logger with the redaction every service needs (pino's `redact`, which also
 * covers a `child()`'s bindings). Use its `child()` per job or request.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: options.name },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACT_PATHS, censor: REDACTION_CENSOR },
  };
  // Synchronous: a line logged just before process.exit() or an uncaught exception is written,
  // and lines keep their order (pino's asynchronous default can reorder them at exit).
  return pino(config, options.destination ?? pino.destination({ dest: 1, sync: true }));
}

export type { Logger };
