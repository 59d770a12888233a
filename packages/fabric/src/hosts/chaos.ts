// Tests' chaos for tile hosts: a seeded source that cuts data frames to random sizes and delays some sends,
// so that bit-identity is checked against batching and timing that change from run to run.

/** A small seeded generator (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Delays for a socket writer: 0 ms mostly, 0–2 ms for three sends in ten. */
export function randomDelays(random: () => number): () => number {
  return () => (random() < 0.3 ? Math.floor(random() * 3) : 0);
}
