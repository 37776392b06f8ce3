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

export interface CreateLoggerOptions {
  /** Service name, bound to every line as `service`. */
  name: string;
  /** @defaultValue 'info' */
  level?: LoggerOptions['level'];
  /** Where lines go; defaults to stdout. Tests pass a stream to read them back. */
  destination?: pino.DestinationStream;
}

/** A pino JSON logger with the redaction every service needs. Use its `child()` per job/request. */
export function createLogger(options: CreateLoggerOptions): Logger {
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: options.name },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return options.destination === undefined ? pino(config) : pino(config, options.destination);
}

export type { Logger };
