// A seeded pseudo-random generator (mulberry32) for tests, benchmarks and seeded training
// (data order, initial weights): the same seed gives the same sequence on every machine,
// so failures replay, benchmarks measure the same input and training is reproducible.
// Never use it for keys, nonces or anything that must be unpredictable.

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
