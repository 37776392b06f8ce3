import { randomBytes } from 'node:crypto';

/**
 * A small seedable PRNG (sfc32). One instance per emulator, so a test that passes `seed`
 * gets the same ids, card fingerprints and fault decisions on every run.
 */
export interface SeededRandom {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number;
  /** True with probability `share` (0..1). */
  chance(share: number): boolean;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** The 4-word internal state, for snapshots. */
  state(): [number, number, number, number];
}

function hashSeed(seed: string | number): [number, number, number, number] {
  // xmur3-style string hash expanded to four words.
  const text = String(seed);
  let h = 1779033703 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  const words: number[] = [];
  for (let i = 0; i < 4; i++) {
    h = Math.imul(h ^ (h >>> 16), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    h ^= h >>> 16;
    words.push(h >>> 0);
  }
  return [words[0] ?? 1, words[1] ?? 2, words[2] ?? 3, words[3] ?? 4];
}

/** Creates a PRNG from a seed, or from crypto randomness when `seed` is undefined. */
export function createSeededRandom(
  seed?: string | number,
  restoredState?: readonly [number, number, number, number],
): SeededRandom {
  let [a, b, c, d] = restoredState ?? hashSeed(seed ?? randomBytes(16).toString('hex'));
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (share) => share > 0 && next() < share,
    pick: <T>(items: readonly T[]): T => {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new RangeError('pick() needs a non-empty array');
      return item;
    },
    state: () => [a >>> 0, b >>> 0, c >>> 0, d >>> 0],
  };
}

const ID_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * Omise test-mode ids: `<prefix>_test_` plus 19 lowercase base-36 characters
 * (e.g. `chrg_test_63444wyfsg4mtvvck1z` in the 2025 PHP fixtures).
 */
export function createOmiseId(random: SeededRandom, prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 19; i++) suffix += ID_ALPHABET[Math.floor(random.next() * 36)];
  return `${prefix}_test_${suffix}`;
}
