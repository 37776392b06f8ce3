import { createRequire } from 'node:module';

/** Where the batched lines go: pino's SonicBoom (`pino.destination()`) has both methods. */
export interface SyncLineSink {
  write(data: string): unknown;
  /** Writes everything buffered before returning. */
  flushSync(): void;
}

type RegisterOnExit = <T extends object>(object: T, shutdown: (object: T) => void) => void;

/**
 * on-exit-leak-free's `register`: pino's own exit hook, which holds the object weakly, so a
 * discarded logger is still collected. The package ships no types, hence the checked require.
 */
const registerOnExit = ((): RegisterOnExit => {
  const loaded: unknown = createRequire(__filename)('on-exit-leak-free');
  const register: unknown =
    typeof loaded === 'object' && loaded !== null ? Reflect.get(loaded, 'register') : undefined;
  if (typeof register !== 'function') throw new TypeError('on-exit-leak-free has no register()');
  return register as RegisterOnExit;
})();

// Module-level, not a closure: the hook must not hold the destination it is registered for.
function flushOnExit(destination: LineBatchDestination): void {
  destination.flushSync();
}

/**
 * A pino destination that hands every line written during one turn of the event loop to
 * `sink` as one string, at the end of the turn (setImmediate), in order.
 *
 * Under load a service logs many lines per turn (the receiver answers a whole Redis batch of
 * deliveries at once). Written one by one, each line is a syscall with a synchronous sink; with
 * SonicBoom's asynchronous mode each line is instead appended to the string being buffered and
 * SonicBoom measures that whole string's byte length again, which flattens it: every line
 * re-copied everything buffered before it (~7 KB of garbage per delivery in the receiver).
 * Here each line is copied once, and the sink sees one write per turn.
 *
 * Nothing is lost at exit: pending lines are handed over and flushed synchronously on process
 * 'exit' (also after an uncaught exception), through the same exit hook pino uses.
 */
export class LineBatchDestination {
  private pending: string[] = [];
  private scheduled = false;

  constructor(private readonly sink: SyncLineSink) {
    registerOnExit(this, flushOnExit);
  }

  write(line: string): void {
    this.pending.push(line);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.handOver);
    }
  }

  /** Hands over the pending lines now; pino's `logger.flush(callback)` calls this. */
  flush(callback?: (error?: Error) => void): void {
    this.handOver();
    callback?.();
  }

  /** Hands over the pending lines and flushes the sink synchronously. */
  flushSync(): void {
    this.handOver();
    this.sink.flushSync();
  }

  private readonly handOver = (): void => {
    this.scheduled = false;
    const lines = this.pending;
    if (lines.length === 0) return;
    this.pending = [];
    this.sink.write(lines.length === 1 ? (lines[0] ?? '') : lines.join(''));
  };
}
