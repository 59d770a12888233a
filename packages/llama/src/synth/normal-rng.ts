// The deterministic random numbers behind synthetic checkpoints: Marsaglia's xorshift128 on four 32-bit words
// (seeded through splitmix32) and Box-Muller normals. Pure 32-bit integer arithmetic, so every machine
// produces the same stream for the same seed.

const TWO_POW_32 = 4294967296;

/** One step of splitmix32: a well-mixed 32-bit value from a counter, used only to seed the state. */
function splitmix32(counter: number): number {
  let z = (counter + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A seeded stream of uniform and normal numbers (xorshift128 + Box-Muller). */
export class NormalRng {
  private x: number;
  private y: number;
  private z: number;
  private w: number;

  /** `seed` is a non-negative safe integer; its low and high 32-bit halves both feed the state. */
  constructor(seed: number) {
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_POW_32) >>> 0;
    const base = (lo ^ Math.imul(hi, 0x27d4eb2d)) >>> 0;
    this.x = splitmix32(base);
    this.y = splitmix32(base + 1);
    this.z = splitmix32(base + 2);
    this.w = splitmix32(base + 3);
    if ((this.x | this.y | this.z | this.w) === 0) this.w = 1; // xorshift's one forbidden state
  }

  /** The next uniform 32-bit unsigned integer. */
  nextU32(): number {
    const t = this.x ^ (this.x << 11);
    this.x = this.y;
    this.y = this.z;
    this.z = this.w;
    this.w = (this.w ^ (this.w >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
    return this.w;
  }

  /**
   * Fills `out` with normal(0, std) samples rounded to float32, two per Box-Muller pair:
   * u1 in (0, 1], u2 in [0, 1); r = sqrt(-2 ln u1); (r cos 2πu2, r sin 2πu2).
   */
  fillNormal(out: Float32Array, std: number): void {
    const n = out.length;
    for (let i = 0; i < n; i += 2) {
      const u1 = (this.nextU32() + 1) / TWO_POW_32;
      const u2 = this.nextU32() / TWO_POW_32;
      const r = std * Math.sqrt(-2 * Math.log(u1));
      const angle = 2 * Math.PI * u2;
      out[i] = r * Math.cos(angle);
      if (i + 1 < n) out[i + 1] = r * Math.sin(angle);
    }
  }
}
