import { SingleBar } from 'cli-progress';

/** What a long walk reports while it runs (a terminal bar, or periodic log lines). */
export interface ProgressReporter {
  /** A new task begins; `done` is non-zero when it resumes from a checkpoint. */
  start(task: { label: string; total: number; done: number }): void;
  update(done: number, total: number): void;
  /** The task ended (completed or interrupted); the bar, if any, is closed. */
  stop(): void;
}

/** The numbers one progress report is made of. */
export interface ProgressSnapshot {
  label: string;
  done: number;
  total: number;
  /** `done` when this run started (a resumed walk starts above 0). */
  startDone: number;
  elapsedMs: number;
}

/** Items per second over this run (resumed items excluded). */
export function itemsPerSecond(snapshot: ProgressSnapshot): number {
  const seconds = snapshot.elapsedMs / 1000;
  return seconds > 0 ? (snapshot.done - snapshot.startDone) / seconds : 0;
}

/** Seconds left at the current rate, or undefined while it cannot be estimated. */
export function etaSeconds(snapshot: ProgressSnapshot): number | undefined {
  const rate = itemsPerSecond(snapshot);
  if (rate <= 0) return undefined;
  return Math.max(0, snapshot.total - snapshot.done) / rate;
}

export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One log line: `charges 12,300/100,000 (12.3%) 5,432 items/s ETA 16s`. */
export function formatProgressLine(snapshot: ProgressSnapshot): string {
  const percent = snapshot.total > 0 ? (100 * snapshot.done) / snapshot.total : 100;
  return [
    `${snapshot.label} ${snapshot.done.toLocaleString('en-US')}/${snapshot.total.toLocaleString('en-US')}`,
    `(${percent.toFixed(1)}%)`,
    `${Math.round(itemsPerSecond(snapshot)).toLocaleString('en-US')} items/s`,
    `ETA ${formatDuration(etaSeconds(snapshot))}`,
  ].join(' ');
}

/** Options of {@link createProgressReporter}. */
export interface ProgressReporterOptions {
  /** Where the bar or the lines go. */
  stream: NodeJS.WriteStream;
  /** Milliseconds between log lines when `stream` is not a terminal. @defaultValue 5000 */
  logIntervalMs?: number;
  /** Clock in epoch milliseconds. @defaultValue Date.now */
  now?: () => number;
}

/**
 * A `cli-progress` bar with items/s and ETA when `stream` is a terminal; otherwise (CronJob
 * logs, CI, pipes) a line every few seconds and one at the end, so logs stay readable.
 */
export function createProgressReporter(options: ProgressReporterOptions): ProgressReporter {
  const now = options.now ?? Date.now;
  const logIntervalMs = options.logIntervalMs ?? 5_000;
  let task: { label: string; total: number; done: number; startDone: number; startedAt: number };
  let bar: SingleBar | undefined;
  let lastLineAt = 0;
  let lastLine = '';
  const writeLine = (line: string) => {
    lastLine = line;
    options.stream.write(`${line}\n`);
  };
  const snapshot = (): ProgressSnapshot => ({
    label: task.label,
    done: task.done,
    total: task.total,
    startDone: task.startDone,
    elapsedMs: now() - task.startedAt,
  });

  return {
    start({ label, total, done }) {
      task = { label, total, done, startDone: done, startedAt: now() };
      lastLineAt = task.startedAt;
      if (options.stream.isTTY) {
        bar = new SingleBar({
          stream: options.stream,
          format: `${label.padEnd(9)} [{bar}] {percentage}% | {value}/{total} | {rate} items/s | ETA {eta_custom}`,
          barsize: 30,
          hideCursor: true,
          etaBuffer: 50,
        });
        bar.start(total, done, { rate: '0', eta_custom: '?' });
      } else {
        writeLine(formatProgressLine(snapshot()));
      }
    },
    update(done, total) {
      task.done = done;
      task.total = total;
      const current = snapshot();
      if (bar !== undefined) {
        bar.setTotal(total);
        bar.update(done, {
          rate: Math.round(itemsPerSecond(current)).toLocaleString('en-US'),
          eta_custom: formatDuration(etaSeconds(current)),
        });
      } else if (now() - lastLineAt >= logIntervalMs) {
        lastLineAt = now();
        writeLine(formatProgressLine(current));
      }
    },
    stop() {
      if (bar !== undefined) {
        bar.stop();
        bar = undefined;
      } else {
        // The final state, unless the last periodic line already said exactly that.
        const line = formatProgressLine(snapshot());
        if (line !== lastLine) writeLine(line);
      }
    },
  };
}

/** Reports nothing (tests, and callers that print their own summary). */
export const silentProgress: ProgressReporter = {
  start: () => undefined,
  update: () => undefined,
  stop: () => undefined,
};
