import { pino, type Logger, type LoggerOptions } from 'pino';
import { isoTime } from './iso-time';
import { LineBatchDestination } from './line-batch-destination';
import { compileRedaction } from './redaction';

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

const redact = compileRedaction(REDACT_PATHS, REDACTION_CENSOR);

/** Where createLogger keeps pino's own `child` on the loggers it wraps. */
const PINO_CHILD = Symbol('pinoChild');
type ChildMethod = Logger['child'];

export interface CreateLoggerOptions {
  /** Service name, bound to every line as `service`. */
  name: string;
  /** @defaultValue 'info' */
  level?: LoggerOptions['level'];
  /**
   * Where lines go. Tests pass a stream to read them back.
   * @defaultValue stdout, one synchronous write per turn of the event loop (see createLogger)
   */
  destination?: pino.DestinationStream;
}

/**
 * A pino JSON logger with the redaction every service needs. Use its `child()` per job/request.
 *
 * Redaction runs in pino's `log` formatter and on every `child()`'s bindings (see
 * redaction.ts for why not through pino's own `redact` option); the lines are the same.
 *
 * Lines go to stdout in one synchronous write per turn of the event loop (LineBatchDestination
 * over a synchronous pino destination): under load one write carries many lines instead of one
 * syscall per line on the request path, a slow reader holds the process back instead of
 * filling its memory, and pending lines are flushed when the process exits (also after an
 * uncaught exception); only a SIGKILL can lose the last turn's lines.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: options.name },
    // pino.stdTimeFunctions.isoTime's format, made without a Date per line (see iso-time.ts).
    timestamp: () => `,"time":"${isoTime(Date.now())}"`,
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => redact(object),
    },
  };
  const logger = pino(
    config,
    options.destination ?? new LineBatchDestination(pino.destination({ dest: 1, sync: true })),
  );
  // pino gives children no bindings formatter, so their bindings are redacted here. Children
  // inherit this method through their prototype, so grandchildren are covered too. pino's own
  // `child` is kept under a symbol and called with the child's parent as `this`.
  const withPinoChild: Logger & { [PINO_CHILD]?: ChildMethod } = logger;
  const original: { child: ChildMethod } = logger;
  withPinoChild[PINO_CHILD] = original.child;
  logger.child = function redactingChild<ChildLevels extends string = never>(
    this: Logger & { [PINO_CHILD]: ChildMethod },
    bindings: pino.Bindings,
    childOptions?: pino.ChildLoggerOptions<ChildLevels>,
  ): pino.Logger<ChildLevels> {
    return this[PINO_CHILD]<ChildLevels>(redact(bindings), childOptions);
  };
  return logger;
}

export type { Logger };
