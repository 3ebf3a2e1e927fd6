/**
 * A seeded generator (mulberry32), so that a randomized test's failure can be replayed: each test prints its seed,
 * and REACTIVEREST_SEED sets it.
 */
export function random(seed: number = Number(process.env['REACTIVEREST_SEED'] ?? Math.floor(Math.random() * 2 ** 31))): {
  next: () => number;
  int: (below: number) => number;
  seed: number;
} {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (below) => Math.floor(next() * below), seed };
}
