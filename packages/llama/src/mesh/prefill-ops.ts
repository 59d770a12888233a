// The token-parallel element-wise steps of the prefill program, on one core's block of m tokens (its mesh
// row's) × some columns: RMSNorm and softmax with their allreduces along X, RoPE, SwiGLU, residual adds.
// Numerics follow the reference pass (float32 steps of reference/float32-ops.ts and rope.ts).

import { elementwiseCost, type Core, type CoreStep } from '@wafer/arch';
import { allreduce, lineOf, type AllreduceOptions } from '@wafer/kernels';
import { ropeRotation } from '../reference/rope.js';

type Gen<T = void> = Generator<CoreStep, T, Float32Array>;
const f32 = Math.fround;

/**
 * out[m × n] = weight ⊙ x / rms(x) per token, where x [m × n] is this core's columns of the m tokens: the
 * sums of squares of all D columns are allreduced along X as one vector of m values.
 */
export function* rmsnormRows(core: Core, out: Float32Array, x: Float32Array, weight: Float32Array, m: number, dim: number, eps: number, opts: AllreduceOptions): Gen {
  const n = weight.length;
  const ss = new Float32Array(m); // [m] this core's part of each token's sum of squares
  for (let i = 0; i < m; i++) {
    let acc = 0;
    for (let j = 0; j < n; j++) acc += x[i * n + j] * x[i * n + j];
    ss[i] = acc;
  }
  core.compute(elementwiseCost(m * n, 2));
  const total = yield allreduce(core, lineOf(core, 'x'), ss, opts);
  for (let i = 0; i < m; i++) {
    const scale = f32(1 / f32(Math.sqrt(f32(f32(total[i] / dim) + f32(eps)))));
    for (let j = 0; j < n; j++) out[i * n + j] = weight[j] * f32(scale * x[i * n + j]);
  }
  core.compute(elementwiseCost(m * n, 2));
}

/**
 * Rotates the adjacent pairs of `heads` head blocks of hs columns each, starting at column `col0` of the
 * row-major [m × stride] matrix `buf`; column j of a head is dim dim0 + j of that head, token i sits at
 * position pos0 + i. cos/sin as the reference computes them: float32 angle, float32 cos and sin.
 */
export function ropeRows(core: Core, buf: Float32Array, stride: number, m: number, col0: number, heads: number, hs: number, dim0: number, pos0: number, freqs: Float32Array): void {
  const cos = new Float32Array(freqs.length); // [headDim/2]
  const sin = new Float32Array(freqs.length);
  for (let i = 0; i < m; i++) {
    ropeRotation(freqs, pos0 + i, cos, sin);
    for (let h = 0; h < heads; h++) {
      for (let j = 0; j < hs; j += 2) {
        const o = i * stride + col0 + h * hs + j;
        const p = (dim0 + j) / 2;
        const v0 = buf[o];
        const v1 = buf[o + 1];
        buf[o] = v0 * cos[p] - v1 * sin[p];
        buf[o + 1] = v0 * sin[p] + v1 * cos[p];
      }
    }
  }
  core.compute(elementwiseCost(m * heads * hs, 3));
}

/**
 * In place on this core's score block s [rows × nk keys], where row i is the query at position
 * query0 + (i mod tokens) (heads stacked on tokens): scale by 1/√headDim, causal mask (a key after its query
 * gets −∞), then softmax along each query row, whose max and sum are allreduced along X.
 */
export function* causalSoftmaxRows(core: Core, s: Float32Array, m: number, tokens: number, nk: number, query0: number, key0: number, headDim: number, max: AllreduceOptions, sum: AllreduceOptions): Gen {
  const scale = f32(Math.sqrt(headDim));
  const rowMax = new Float32Array(m).fill(Number.NEGATIVE_INFINITY); // [rows]
  for (let i = 0; i < m; i++) {
    const query = query0 + (i % tokens);
    for (let j = 0; j < nk; j++) {
      const v = key0 + j > query ? Number.NEGATIVE_INFINITY : f32(s[i * nk + j]) / scale;
      s[i * nk + j] = v;
      if (v > rowMax[i]) rowMax[i] = v;
    }
  }
  core.compute(elementwiseCost(m * nk, 2));
  const gmax = yield allreduce(core, lineOf(core, 'x'), rowMax, max);
  const rowSum = new Float32Array(m); // [rows]
  for (let i = 0; i < m; i++) {
    let acc = 0;
    for (let j = 0; j < nk; j++) {
      const e = f32(Math.exp(f32(s[i * nk + j] - gmax[i])));
      s[i * nk + j] = e;
      acc = f32(acc + e);
    }
    rowSum[i] = acc;
  }
  const gsum = yield allreduce(core, lineOf(core, 'x'), rowSum, sum);
  for (let i = 0; i < m; i++) for (let j = 0; j < nk; j++) s[i * nk + j] /= gsum[i];
  core.compute(elementwiseCost(m * nk, 3));
}

/** out[m × h] = silu(gate) · up from gu [m × (gate h | up h)], as the reference computes it. */
export function swigluRows(core: Core, out: Float32Array, gu: Float32Array, m: number, h: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < h; j++) {
      const g = gu[i * 2 * h + j];
      out[i * h + j] = f32(g * f32(1 / (1 + f32(Math.exp(-g))))) * gu[i * 2 * h + h + j];
    }
  }
  core.compute(elementwiseCost(m * h, 4));
}

/** x += y, element-wise (the residual stream). */
export function addInto(core: Core, x: Float32Array, y: Float32Array): void {
  for (let i = 0; i < x.length; i++) x[i] += y[i];
  core.compute(elementwiseCost(x.length));
}

/** dst [m × n] = columns [col0, col0 + n) of the row-major [m × stride] matrix src. */
export function cutColumns(core: Core, dst: Float32Array, src: Float32Array, m: number, stride: number, col0: number, n: number): void {
  for (let i = 0; i < m; i++) dst.set(src.subarray(i * stride + col0, i * stride + col0 + n), i * n);
  core.compute(elementwiseCost(m * n));
}

/** Columns [col0, col0 + n) of the row-major [m × stride] matrix dst = src [m × n]. */
export function pasteColumns(core: Core, dst: Float32Array, stride: number, col0: number, src: Float32Array, m: number, n: number): void {
  for (let i = 0; i < m; i++) dst.set(src.subarray(i * n, (i + 1) * n), i * stride + col0);
  core.compute(elementwiseCost(m * n));
}
