import { PassThrough } from 'node:stream';
import {
  createProgressReporter,
  etaSeconds,
  formatDuration,
  formatProgressLine,
  itemsPerSecond,
} from './progress-reporter';

describe('progress reporting', () => {
  const resumed = {
    label: 'charges',
    done: 30_000,
    total: 100_000,
    startDone: 20_000,
    elapsedMs: 2_000,
  };

  it('when a walk resumed, items/s and ETA count only this run', () => {
    expect(itemsPerSecond(resumed)).toBe(5_000);
    expect(etaSeconds(resumed)).toBe(14);
    expect(formatProgressLine(resumed)).toBe(
      'charges 30,000/100,000 (30.0%) 5,000 items/s ETA 14s',
    );
  });

  it('when nothing was done yet, the ETA is unknown', () => {
    expect(etaSeconds({ ...resumed, done: 20_000 })).toBeUndefined();
    expect(formatDuration(undefined)).toBe('?');
    expect(formatDuration(125)).toBe('2m05s');
    expect(formatDuration(7_300)).toBe('2h01m');
  });

  it('when the output is not a terminal, a line is written at start, every interval and at the end (once)', () => {
    const stream = new PassThrough() as unknown as NodeJS.WriteStream;
    const lines: string[] = [];
    (stream as unknown as PassThrough).on('data', (chunk: Buffer) =>
      lines.push(...chunk.toString('utf8').trim().split('\n')),
    );
    let now = 0;
    const progress = createProgressReporter({ stream, logIntervalMs: 5_000, now: () => now });
    progress.start({ label: 'charges', total: 1_000, done: 0 });
    now = 1_000;
    progress.update(100, 1_000);
    now = 5_000;
    progress.update(500, 1_000);
    now = 10_000;
    progress.update(1_000, 1_000);
    progress.stop();
    expect(lines).toEqual([
      'charges 0/1,000 (0.0%) 0 items/s ETA ?',
      'charges 500/1,000 (50.0%) 100 items/s ETA 5s',
      'charges 1,000/1,000 (100.0%) 100 items/s ETA 0s',
    ]);
  });
});
