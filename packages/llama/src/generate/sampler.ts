// Picks the next token from logits: greedy argmax, or temperature + optional top-k + top-p (nucleus) sampling
// with run.c's seeded xorshift coins. With topK 0 every step is run.c's sample() (same seed, same coin).
import { usageError } from '@wafer/arch';
import { softmax } from '../reference/float32-ops.js';
import { idsAtLeast, topKIds } from './top-candidates.js';
import { XorshiftRng } from './xorshift-rng.js';

/** Sampling parameters, each validated against its command-line flag. */
export interface SamplerOptions {
  /** --temp: 0 means greedy argmax; otherwise logits are divided by it before the softmax. */
  temperature: number;
  /** --top-p: nucleus mass in (0, 1]; 1 disables the nucleus cut. */
  topP: number;
  /** --top-k: keep only the k most probable tokens; 0 disables (k >= vocab keeps every token). */
  topK: number;
  /** --seed: positive integer seeding run.c's xorshift64* state. */
  seed: number;
}

/** Throws a usage error naming the flag (--temp, --top-p, --top-k, --seed) of the first bad option. */
export function checkSamplerOptions(options: SamplerOptions): void {
  const { temperature, topP, topK, seed } = options;
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature < 0) {
    throw usageError(`--temp must be a number >= 0, got ${String(temperature)}`);
  }
  if (typeof topP !== 'number' || !(topP > 0 && topP <= 1)) {
    throw usageError(`--top-p must be a number in (0, 1], got ${String(topP)}`);
  }
  if (typeof topK !== 'number' || !Number.isSafeInteger(topK) || topK < 0) {
    throw usageError(`--top-k must be an integer >= 0, got ${String(topK)}`);
  }
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 1) {
    throw usageError(`--seed must be an integer in 1..${Number.MAX_SAFE_INTEGER} (xorshift cannot start from 0), got ${String(seed)}`);
  }
}

/** Index of the largest logit; ties go to the lowest id (run.c's argmax). */
export function argmax(logits: Float32Array): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}

/** run.c's Sampler: the options, the rng state, and a probability buffer reused across steps. */
export class Sampler {
  /** The validated options. */
  readonly options: Readonly<SamplerOptions>;
  private readonly rng: XorshiftRng;
  private readonly temperature32: number;
  private probs = new Float32Array(0); // [vocab], sized on first use

  /** Validates `options` (usage errors naming the flag). */
  constructor(options: SamplerOptions) {
    checkSamplerOptions(options);
    this.options = Object.freeze({ ...options });
    this.rng = new XorshiftRng(options.seed);
    this.temperature32 = Math.fround(options.temperature);
  }

  /** A greedy sampler (temperature 0); it never draws a random number. */
  static greedy(): Sampler {
    return new Sampler({ temperature: 0, topP: 1, topK: 0, seed: 1 });
  }

  /** Picks the next token id from logits [vocab]; does not modify `logits`. */
  sample(logits: Float32Array): number {
    if (this.options.temperature === 0) return argmax(logits);
    const n = logits.length;
    if (this.probs.length !== n) this.probs = new Float32Array(n);
    const probs = this.probs; // [vocab]
    for (let i = 0; i < n; i++) probs[i] = logits[i] / this.temperature32;
    softmax(probs, 0, n);
    const coin = this.rng.nextF32();
    const topK = this.options.topK;
    const topP32 = Math.fround(this.options.topP); // run.c keeps topp as a float
    if (topK > 0 && topK < n) return sampleTopK(probs, topK, topP32, coin);
    if (topP32 >= 1) return sampleMult(probs, coin);
    return sampleTopP(probs, topP32, coin);
  }
}

/** run.c's sample_mult: the first id whose float32 running sum of probabilities exceeds coin. */
function sampleMult(probs: Float32Array, coin: number): number {
  let cdf = 0;
  for (let i = 0; i < probs.length; i++) {
    cdf = Math.fround(cdf + probs[i]);
    if (coin < cdf) return i;
  }
  return probs.length - 1; // in case of rounding errors
}

/**
 * run.c's sample_topp: prefilter ids with prob >= (1 - topP) / (n - 1) (they cannot all be outside the nucleus),
 * rank them, keep the shortest prefix whose mass exceeds topP, and sample it with coin scaled to its mass.
 * When topP < 1/n the prefilter can keep nothing; then the nucleus is exactly the top token.
 */
function sampleTopP(probs: Float32Array, topP: number, coin: number): number {
  const cutoff = Math.fround(Math.fround(1 - topP) / (probs.length - 1));
  const ids = idsAtLeast(probs, cutoff);
  if (ids.length === 0) return topKIds(probs, 1)[0];
  return sampleRanked(ids, (id) => probs[id], topP, coin);
}

/** Top-k then top-p: the k best ids, renormalised to sum to 1, then the nucleus cut and the draw. */
function sampleTopK(probs: Float32Array, topK: number, topP: number, coin: number): number {
  const ids = topKIds(probs, topK);
  let mass = 0;
  for (let i = 0; i < ids.length; i++) mass = Math.fround(mass + probs[ids[i]]);
  return sampleRanked(ids, (id) => Math.fround(probs[id] / mass), topP, coin);
}

/** The second half of run.c's sample_topp over ranked ids; topP >= 1 keeps them all. */
function sampleRanked(ids: Int32Array, prob: (id: number) => number, topP: number, coin: number): number {
  let cumulative = 0;
  let lastIdx = ids.length - 1;
  for (let i = 0; i < ids.length; i++) {
    cumulative = Math.fround(cumulative + prob(ids[i]));
    if (topP < 1 && cumulative > topP) {
      lastIdx = i;
      break;
    }
  }
  const r = Math.fround(coin * cumulative);
  let cdf = 0;
  for (let i = 0; i <= lastIdx; i++) {
    cdf = Math.fround(cdf + prob(ids[i]));
    if (r < cdf) return ids[i];
  }
  return ids[lastIdx];
}
