// Seeded uniform inputs for kernel runs: the same seed gives the same floats on every machine.

/** n floats uniform in [-1, 1) from a 32-bit LCG (Numerical Recipes constants). */
export function seededUniform(seed: number, n: number): Float32Array {
  let s = (seed * 2654435761 + 1) >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}
