// SRAM the MeshGEMM prefill needs per core beside the decode layout, counted before anything is placed:
// its pre-skewed weight blocks (placed once per engine) and the peak of its working buffers for T' tokens,
// mirroring the buffers prefill-program.ts and the kernels it calls allocate.

import type { MachineSpec } from '@wafer/arch';
import type { DecodeLayout } from './layout.js';
import { coreValues } from './memory.js';
import { qkvWidth, skewedBlock, tokenSplit, type PrefillLayout } from './prefill-layout.js';

/** Values of one layer's prefill weight blocks on core (x, y): norms, q|k|v (the last layer: k|v), wo, gate|up, down. */
export function prefillLayerValues(l: DecodeLayout, pre: PrefillLayout, x: number, y: number, last: boolean): number {
  const k0 = skewedBlock(pre.P, x, y);
  const dx = pre.dX.sizes[x];
  const h = pre.hX.sizes[x];
  if (last) return dx + pre.dX.sizes[k0] * qkvWidth(l, pre, x, false);
  return (
    2 * dx + // norm weights
    pre.dX.sizes[k0] * qkvWidth(l, pre, x, true) + // q, k, v
    l.nHeads * pre.headX.sizes[k0] * dx + // output projection
    pre.dX.sizes[k0] * 2 * h + // gate and up
    pre.hX.sizes[k0] * dx // down
  );
}

/** Values of the prefill weight blocks on core (x, y) (P<l>.rms1/rms2/wqkv/wkv/wo/w13/w2). */
export function prefillWeightValues(l: DecodeLayout, pre: PrefillLayout, x: number, y: number): number {
  return (l.nLayers - 1) * prefillLayerValues(l, pre, x, y, false) + prefillLayerValues(l, pre, x, y, true);
}

/** A MeshGEMM call's buffers: double-buffered A [m × maxK] and B [maxK × n] tiles and C [m × n]. */
function gemmValues(m: number, maxK: number, n: number): number {
  return 2 * m * maxK + 2 * maxK * n + m * n;
}

/** Peak values of the prefill program's working buffers on core (x, y) for `tokens` positions. */
export function prefillWorkingValues(l: DecodeLayout, pre: PrefillLayout, tokens: number, x: number, y: number): number {
  const tok = tokenSplit(tokens, pre.P);
  const m = tok.sizes[y];
  const dx = pre.dX.sizes[x];
  const hs = pre.headX.sizes[x];
  const h = pre.hX.sizes[x];
  const attn = l.nHeads * hs; // this column's attention units
  const rep = l.nrep; // query heads stacked per kv head
  const maxOf = (a: number[]) => Math.max(...a);
  const maxTok = maxOf(tok.sizes);
  const maxDx = maxOf(pre.dX.sizes);
  const W = qkvWidth(l, pre, x, true);
  const stages = [
    m * dx + gemmValues(m, maxDx, qkvWidth(l, pre, x, false)), // last layer: normed x, k and v GEMM
  ];
  if (l.nLayers > 1) {
    stages.push(
      m * dx + gemmValues(m, maxDx, W), // normed x, q/k/v GEMM
      m * W + attn * m + rep * m * hs + m * hs + rep * m * tok.sizes[x], // Q·Kᵀ: qkv, attention output, Q_g, K_g, scores
      m * W + attn * m + rep * m * tok.sizes[x] + m * hs + gemmValues(rep * m, maxTok, hs), // S·V: scores, V_g, GEMM
      attn * m + gemmValues(m, l.nHeads * maxOf(pre.headX.sizes), dx), // output projection
      m * dx + gemmValues(m, maxDx, 2 * h), // normed x, gate and up GEMM
      3 * m * h, // gate|up and SiLU·up
      m * h + gemmValues(m, maxOf(pre.hX.sizes), dx), // down projection
    );
  }
  return m * dx + maxOf(stages); // the residual stream stays throughout
}

/**
 * Bytes the busiest core needs for the decode layout plus the prefill weights, and with `tokens` > 0 also the
 * prefill's working buffers for a batch of that many positions.
 */
export function prefillBytesPerCore(l: DecodeLayout, pre: PrefillLayout, machine: MachineSpec, tokens = 0): number {
  let worst = 0;
  for (let y = 0; y < pre.P; y++) {
    for (let x = 0; x < pre.P; x++) {
      const working = tokens > 0 ? prefillWorkingValues(l, pre, tokens, x, y) : 0;
      worst = Math.max(worst, coreValues(l, x, y) + prefillWeightValues(l, pre, x, y) + working);
    }
  }
  return worst * machine.bytesPerElement;
}
