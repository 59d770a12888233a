// Scale search shared by the block quantisers: a least-squares fit of one block's scale (symmetric codes,
// uniform or from a level table) or scale and minimum (affine codes). Our own search; ggml's quantisers
// choose differently, which GGUF allows (only the decoding is fixed).

import { halfBitsToNumber, numberToHalfBits } from '../dtype-codec.js';

/** Steps of the inverse-scale search either side of the max-abs choice, and their size in code units. */
const SEARCH_STEPS = 9;
const SEARCH_STEP = 0.1;

/** Rounds half away from zero and clamps to [lo, hi]. */
export function clampRound(v: number, lo: number, hi: number): number {
  const r = v < 0 ? -Math.floor(0.5 - v) : Math.floor(v + 0.5);
  return r < lo ? lo : r > hi ? hi : r;
}

/** The value an f16 field will hold for `x` (what a decoder will read back). */
export function asHalf(x: number): number {
  return halfBitsToNumber(numberToHalfBits(x));
}

/** Writes an f16 field (little-endian) at `at`. */
export function putHalf(out: Uint8Array, at: number, x: number): void {
  const h = numberToHalfBits(x);
  out[at] = h & 0xff;
  out[at + 1] = h >>> 8;
}

/** The value of x[from .. from+n) with the largest magnitude (0 for an all-zero block). */
function signedMax(x: ArrayLike<number>, from: number, n: number): number {
  let max = 0;
  let amax = 0;
  for (let i = from; i < from + n; i++) {
    const a = Math.abs(x[i]);
    if (a > amax) {
      amax = a;
      max = x[i];
    }
  }
  return max;
}

/**
 * Fits value ≈ scale·code with integer codes in [lo, hi] to x[from .. from+n). `extreme` is the code the
 * largest-magnitude value should get (−8 for codes −8..7; 15 for non-negative values and codes 0..15).
 * Tries inverse scales around extreme/max, refits the scale by least squares for each candidate's codes,
 * and keeps the smallest squared error. Returns the scale (0 for an all-zero block).
 */
export function fitUniform(x: ArrayLike<number>, from: number, n: number, extreme: number, lo: number, hi: number): number {
  const max = signedMax(x, from, n);
  if (max === 0) return 0;
  let bestScale = 0;
  let bestGain = -1; // (Σ x·q)² / Σ q²: how much the least-squares scale removes from Σ x²
  for (let k = -SEARCH_STEPS; k <= SEARCH_STEPS; k++) {
    const iscale = (extreme + Math.sign(extreme) * SEARCH_STEP * k) / max;
    let sumXq = 0;
    let sumQq = 0;
    for (let i = from; i < from + n; i++) {
      const q = clampRound(iscale * x[i], lo, hi);
      sumXq += x[i] * q;
      sumQq += q * q;
    }
    if (sumQq > 0 && sumXq * sumXq > bestGain * sumQq) {
      bestGain = (sumXq * sumXq) / sumQq;
      bestScale = sumXq / sumQq;
    }
  }
  return bestScale;
}

/** Midpoints between consecutive levels of a sorted level table. */
export function levelMidpoints(levels: readonly number[]): Float64Array {
  return Float64Array.from(levels.slice(1), (level, i) => (levels[i] + level) / 2);
}

/** Index of the level nearest to v (ties to the lower level), by binary search of the midpoints. */
export function nearestLevel(v: number, midpoints: Float64Array): number {
  let lo = 0;
  let hi = midpoints.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v > midpoints[mid]) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * fitUniform for codes drawn from a sorted table of levels: value ≈ scale·levels[code]. `extreme` is the
 * level the largest-magnitude value should map to.
 */
export function fitLevels(x: ArrayLike<number>, from: number, n: number, extreme: number, levels: readonly number[], midpoints: Float64Array): number {
  // The same search as fitUniform, written out again: one shared loop with a per-value callback runs the
  // quantisers about half as fast (the callback is not inlined).
  const max = signedMax(x, from, n);
  if (max === 0) return 0;
  let bestScale = 0;
  let bestGain = -1;
  for (let k = -SEARCH_STEPS; k <= SEARCH_STEPS; k++) {
    const iscale = (extreme + Math.sign(extreme) * SEARCH_STEP * k) / max;
    let sumXq = 0;
    let sumQq = 0;
    for (let i = from; i < from + n; i++) {
      const q = levels[nearestLevel(iscale * x[i], midpoints)];
      sumXq += x[i] * q;
      sumQq += q * q;
    }
    if (sumQq > 0 && sumXq * sumXq > bestGain * sumQq) {
      bestGain = (sumXq * sumXq) / sumQq;
      bestScale = sumXq / sumQq;
    }
  }
  return bestScale;
}

/** Scale and offset of an affine block: value ≈ scale·code − min, with min ≥ 0. */
export interface AffineFit {
  scale: number;
  min: number;
}

/**
 * Fits value ≈ scale·code − min (codes 0..nmax, min ≥ 0) to x[from .. from+n): candidate inverse scales
 * around nmax/(max − lo), where lo = min(min(x), 0), each refit by least squares (scale and min together)
 * for its codes, keeping the smallest squared error.
 */
export function fitAffine(x: Float32Array, from: number, n: number, nmax: number): AffineFit {
  let lo = 0;
  let hi = x[from];
  let sumX = 0;
  for (let i = from; i < from + n; i++) {
    if (x[i] < lo) lo = x[i];
    if (x[i] > hi) hi = x[i];
    sumX += x[i];
  }
  if (hi <= lo) return { scale: 0, min: -lo };
  let best: AffineFit = { scale: (hi - lo) / nmax, min: -lo };
  let bestError = affineError(x, from, n, nmax, best.scale, best.min);
  for (let k = -SEARCH_STEPS; k <= SEARCH_STEPS; k++) {
    const iscale = (nmax + SEARCH_STEP * k) / (hi - lo);
    let sumQ = 0;
    let sumQq = 0;
    let sumXq = 0;
    for (let i = from; i < from + n; i++) {
      const q = clampRound(iscale * (x[i] - lo), 0, nmax);
      sumQ += q;
      sumQq += q * q;
      sumXq += x[i] * q;
    }
    const det = n * sumQq - sumQ * sumQ;
    if (det <= 0) continue;
    let scale = (n * sumXq - sumX * sumQ) / det;
    let offset = (sumQq * sumX - sumQ * sumXq) / det; // = −min
    if (offset > 0) {
      offset = 0;
      scale = sumXq / sumQq;
    }
    if (!(scale > 0)) continue;
    const error = affineError(x, from, n, nmax, scale, -offset);
    if (error < bestError) {
      bestError = error;
      best = { scale, min: -offset };
    }
  }
  return best;
}

/** Squared error of an affine fit with codes chosen by rounding. */
function affineError(x: Float32Array, from: number, n: number, nmax: number, scale: number, min: number): number {
  const inverse = 1 / scale;
  let error = 0;
  for (let i = from; i < from + n; i++) {
    const diff = scale * clampRound((x[i] + min) * inverse, 0, nmax) - min - x[i];
    error += diff * diff;
  }
  return error;
}

/** The nearest code in 0..nmax for x given a stored scale and min (0 when the scale is 0). */
export function affineCode(x: number, scale: number, min: number, nmax: number): number {
  return scale === 0 ? 0 : clampRound((x + min) / scale, 0, nmax);
}
