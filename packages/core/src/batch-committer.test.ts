import { setImmediate as nextTurn } from 'node:timers/promises';
import { BatchCommitter, type BatchSettlement, MissingSettlementError } from './batch-committer';

/** Lets settled batches finish and the next flush (scheduled with setImmediate) run. */
async function settle(): Promise<void> {
  await nextTurn();
  await nextTurn();
}

/** A commit that records its batches and holds each one until released. */
function heldCommit<I>() {
  const batches: I[][] = [];
  const releases: (() => void)[] = [];
  const commit = async (batch: readonly I[]): Promise<BatchSettlement<string>[]> => {
    batches.push([...batch]);
    await new Promise<void>((resolve) => releases.push(resolve));
    return batch.map((item) => ({ ok: true, value: `done ${String(item)}` }));
  };
  const releaseAll = () => releases.splice(0).forEach((release) => release());
  return { batches, commit, releaseAll };
}

describe('BatchCommitter', () => {
  it('commits what is submitted in one turn as one batch, and settles each item with its result', async () => {
    const sizes: number[] = [];
    const committer = new BatchCommitter(
      (batch: readonly number[]) =>
        Promise.resolve(batch.map((n) => ({ ok: true as const, value: n * 10 }))),
      { maxBatchSize: 100, maxBatchesInFlight: 1, onBatch: (size) => sizes.push(size) },
    );
    const results = await Promise.all([1, 2, 3].map((n) => committer.submit(n)));
    expect(results).toEqual([10, 20, 30]);
    expect(sizes).toEqual([3]);
  });

  it('splits at maxBatchSize and gathers items for the next batch while one is running', async () => {
    const held = heldCommit<number>();
    const committer = new BatchCommitter(held.commit, { maxBatchSize: 2, maxBatchesInFlight: 1 });
    const first = [1, 2, 3].map((n) => committer.submit(n));
    await nextTurn();
    expect(held.batches).toEqual([[1, 2]]);
    const later = [4, 5].map((n) => committer.submit(n));
    await nextTurn();
    expect(held.batches).toHaveLength(1); // one in flight at most
    expect(committer.waiting).toBe(3);
    held.releaseAll();
    await first[1];
    await settle();
    expect(held.batches).toEqual([
      [1, 2],
      [3, 4],
    ]);
    held.releaseAll();
    await first[2];
    await settle();
    held.releaseAll();
    await expect(Promise.all([...first, ...later])).resolves.toEqual(
      [1, 2, 3, 4, 5].map((n) => `done ${n}`),
    );
  });

  it('runs up to maxBatchesInFlight batches at once', async () => {
    const held = heldCommit<number>();
    const committer = new BatchCommitter(held.commit, { maxBatchSize: 1, maxBatchesInFlight: 3 });
    const all = [1, 2, 3, 4].map((n) => committer.submit(n));
    await nextTurn();
    expect(held.batches).toEqual([[1], [2], [3]]);
    held.releaseAll();
    await Promise.all(all.slice(0, 3));
    await settle();
    expect(held.batches).toHaveLength(4);
    held.releaseAll();
    await all[3];
  });

  it('never puts one key into two running batches; a later item of that key waits', async () => {
    const held = heldCommit<string>();
    const committer = new BatchCommitter(held.commit, {
      maxBatchSize: 10,
      maxBatchesInFlight: 2,
      keyOf: (item) => item.split(':')[0] ?? item,
    });
    const first = committer.submit('a:1');
    await nextTurn();
    const second = committer.submit('a:2');
    const other = committer.submit('b:1');
    await nextTurn();
    // b runs beside the held a:1; a:2 waits until a:1's batch is done.
    expect(held.batches).toEqual([['a:1'], ['b:1']]);
    held.releaseAll();
    await Promise.all([first, other]);
    await settle();
    expect(held.batches).toEqual([['a:1'], ['b:1'], ['a:2']]);
    held.releaseAll();
    await expect(second).resolves.toBe('done a:2');
  });

  it('fails every item of a batch whose commit throws, and settles failed items alone', async () => {
    const committer = new BatchCommitter(
      (batch: readonly number[]) => {
        if (batch.includes(0)) return Promise.reject(new Error('store down'));
        return Promise.resolve(
          batch.map((n): BatchSettlement<number> =>
            n % 2 === 0 ? { ok: false, error: new Error(`refused ${n}`) } : { ok: true, value: n },
          ),
        );
      },
      { maxBatchSize: 10, maxBatchesInFlight: 1 },
    );
    const down = [0, 1].map((n) => committer.submit(n));
    await expect(down[0]).rejects.toThrow('store down');
    await expect(down[1]).rejects.toThrow('store down');
    const mixed = [1, 2].map((n) => committer.submit(n));
    await expect(mixed[0]).resolves.toBe(1);
    await expect(mixed[1]).rejects.toThrow('refused 2');
  });

  it('rejects with exactly what the commit threw, so callers can classify it by its fields', async () => {
    const socketError = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const committer = new BatchCommitter(() => Promise.reject(socketError), {
      maxBatchSize: 10,
      maxBatchesInFlight: 1,
    });
    await expect(committer.submit('x')).rejects.toBe(socketError);
  });

  it('fails an item the commit reported nothing for', async () => {
    const committer = new BatchCommitter(() => Promise.resolve([]), {
      maxBatchSize: 10,
      maxBatchesInFlight: 1,
    });
    await expect(committer.submit('x')).rejects.toBeInstanceOf(MissingSettlementError);
  });

  it('idle() resolves once nothing is waiting or running', async () => {
    const held = heldCommit<number>();
    const committer = new BatchCommitter(held.commit, { maxBatchSize: 1, maxBatchesInFlight: 1 });
    await expect(committer.idle()).resolves.toBeUndefined();
    const items = [1, 2].map((n) => committer.submit(n));
    let idle = false;
    const idlePromise = committer.idle().then(() => {
      idle = true;
    });
    await nextTurn();
    held.releaseAll();
    await items[0];
    await settle();
    expect(idle).toBe(false);
    held.releaseAll();
    await idlePromise;
    expect(idle).toBe(true);
  });

  it('with flushAt, starts a batch within the turn once that many wait, and gathers the rest while batches run', async () => {
    const held = heldCommit<number>();
    const committer = new BatchCommitter(held.commit, {
      maxBatchSize: 10,
      maxBatchesInFlight: 2,
      flushAt: 2,
    });
    const items = [1, 2, 3, 4, 5].map((n) => committer.submit(n));
    // Still in the submitting turn: two batches started; the fifth item waits for a slot.
    expect(held.batches).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(committer.waiting).toBe(1);
    const more = [6, 7, 8].map((n) => committer.submit(n));
    await nextTurn();
    expect(held.batches).toHaveLength(2);
    held.releaseAll();
    await settle();
    // Gathered while both slots were busy: one batch, larger than flushAt.
    expect(held.batches[2]).toEqual([5, 6, 7, 8]);
    held.releaseAll();
    await expect(Promise.all([...items, ...more])).resolves.toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map((n) => `done ${n}`),
    );
  });

  it('with flushAt, leaves a smaller remainder of the turn for the end of the turn', async () => {
    const held = heldCommit<number>();
    const committer = new BatchCommitter(held.commit, {
      maxBatchSize: 10,
      maxBatchesInFlight: 4,
      flushAt: 3,
    });
    const items = [1, 2, 3, 4].map((n) => committer.submit(n));
    expect(held.batches).toEqual([[1, 2, 3]]);
    await nextTurn();
    expect(held.batches).toEqual([[1, 2, 3], [4]]);
    held.releaseAll();
    await expect(Promise.all(items)).resolves.toHaveLength(4);
  });

  it.each([
    { maxBatchSize: 0, maxBatchesInFlight: 1 },
    { maxBatchSize: 1, maxBatchesInFlight: 1, flushAt: 0 },
  ])('refuses limits below one: %o', (options) => {
    expect(() => new BatchCommitter(() => Promise.resolve([]), options)).toThrow(RangeError);
  });
});
