// The sampler's random numbers: llama2.c run.c's xorshift64* (random_u32 / random_f32) on a 64-bit state,
// so the same seed draws the same coins as run.c on every machine. BigInt costs ~1 µs per draw, once a token.

const MASK_64 = (1n << 64n) - 1n;
const MULTIPLIER = 0x2545f4914f6cdd1dn;

/** run.c's `unsigned long long rng_state` with its two draw functions. */
export class XorshiftRng {
  private state: bigint;

  /** `seed` must be a positive safe integer (a zero state would draw 0 forever); the Sampler validates it. */
  constructor(seed: number) {
    this.state = BigInt(seed) & MASK_64;
  }

  /** random_u32: state ^= state >> 12; ^= state << 25; ^= state >> 27; return (state * 0x2545F4914F6CDD1D) >> 32. */
  nextU32(): number {
    let s = this.state;
    s ^= s >> 12n;
    s = (s ^ (s << 25n)) & MASK_64;
    s ^= s >> 27n;
    this.state = s;
    return Number(((s * MULTIPLIER) & MASK_64) >> 32n);
  }

  /** random_f32: a float32 in [0, 1) from the top 24 bits of random_u32 (exact in a double). */
  nextF32(): number {
    return (this.nextU32() >>> 8) / 16777216;
  }
}
