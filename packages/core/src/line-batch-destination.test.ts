import { execFile } from 'node:child_process';
import path from 'node:path';
import { LineBatchDestination, type SyncLineSink } from './line-batch-destination';
import { createLogger } from './logger';

/** Records what reaches the sink, write by write. */
function recordingSink(): SyncLineSink & { writes: string[]; syncFlushes: number } {
  const sink = {
    writes: [] as string[],
    syncFlushes: 0,
    write(data: string) {
      sink.writes.push(data);
    },
    flushSync() {
      sink.syncFlushes += 1;
    },
  };
  return sink;
}

const endOfTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('LineBatchDestination', () => {
  it('hands the lines of one turn to the sink as one write, in order, at the end of the turn', async () => {
    const sink = recordingSink();
    const destination = new LineBatchDestination(sink);
    destination.write('a\n');
    destination.write('b\n');
    destination.write('c\n');
    expect(sink.writes).toEqual([]);
    await endOfTurn();
    expect(sink.writes).toEqual(['a\nb\nc\n']);
  });

  it('writes the lines of later turns separately, still in order', async () => {
    const sink = recordingSink();
    const destination = new LineBatchDestination(sink);
    destination.write('1\n');
    await endOfTurn();
    destination.write('2\n');
    destination.write('3\n');
    await endOfTurn();
    await endOfTurn();
    expect(sink.writes).toEqual(['1\n', '2\n3\n']);
  });

  it('flushSync hands the pending lines over at once and flushes the sink', async () => {
    const sink = recordingSink();
    const destination = new LineBatchDestination(sink);
    destination.write('x\n');
    destination.flushSync();
    expect(sink.writes).toEqual(['x\n']);
    expect(sink.syncFlushes).toBe(1);
    // The turn's own hand-over then has nothing left to write.
    await endOfTurn();
    expect(sink.writes).toEqual(['x\n']);
  });

  it("serves pino: a logger's lines of one turn arrive together, and flush() hands them over", () => {
    const sink = recordingSink();
    const logger = createLogger({ name: 'test', destination: new LineBatchDestination(sink) });
    logger.info({ n: 1 }, 'one');
    logger.info({ n: 2 }, 'two');
    const flushed = jest.fn();
    logger.flush(flushed);
    expect(flushed).toHaveBeenCalledTimes(1);
    expect(sink.writes).toHaveLength(1);
    const lines = (sink.writes[0] ?? '').trimEnd().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['one', 'two']);
  });
});

describe('the default stdout destination', () => {
  const fixture = path.join(__dirname, '..', 'test', 'log-then-exit.fixture.ts');

  const run = (mode: string) =>
    new Promise<{ code: number | null; lines: { line?: number; msg?: string }[] }>((resolve) => {
      execFile(
        process.execPath,
        ['--conditions=@omise-sync/source', '--require', 'tsx/cjs', fixture, mode],
        { timeout: 20_000 },
        (error, stdout) => {
          const lines = stdout
            .split('\n')
            .filter((line) => line.startsWith('{'))
            .map((line) => JSON.parse(line) as { line?: number; msg?: string });
          resolve({ code: error === null ? 0 : (error.code as number | null), lines });
        },
      );
    });

  it.each([
    ['the loop empties', 'end', 0],
    ['process.exit() is called in the same turn', 'exit', 3],
    ['an exception goes uncaught in the same turn', 'throw', 1],
  ])('writes every line when %s', async (_situation, mode, code) => {
    const result = await run(mode);
    expect(result.code).toBe(code);
    expect(result.lines.map((line) => line.line)).toEqual([1, 2, 3]);
  });
});
