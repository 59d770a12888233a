// One decode layer (batch 1) on a P×P mesh, step by step as wafer-notes §4 tabulates it: thirteen steps,
// six GEMVs' local multiplies, element-wise passes, and ten allreduces (six vectors, four scalars) that
// alternate between the Y and X axes so no transpose is ever needed.

import { computeCycles as localCycles, WaferError, type MachineSpec } from '@wafer/arch';
import { allreduceCycles, type AllreduceOptions } from './allreduce.js';
import { elementwiseCycles, localGemvCycles } from './elementwise.js';
import { checkConvention, layerDims, meshSide, type Convention, type LayerDims } from './layer-dims.js';
import { linkCosts, nonNegativeInt, ser } from './link-timing.js';
import type { ModelShape } from './model-shapes.js';

/**
 * Fixed kernel-phase costs charged per layer: the machine's stepCycles once for each of the table's
 * thirteen steps (task activation and set-up between phases, see docs/calibration.md).
 */
export const DECODE_STEPS = 13;

/** The ten allreduces of a decode layer, in order. */
export const DECODE_ALLREDUCES = ['attnNorm', 'qkv', 'scores', 'softmaxMax', 'softmaxSum', 'attnValues', 'attnOut', 'ffnNorm', 'upGate', 'down'] as const;
export type DecodeAllreduceName = (typeof DECODE_ALLREDUCES)[number];

/**
 * Element-wise operations per value of each local pass, as packages/llama/src/mesh/decode-program.ts
 * charges them: RMSNorm's sum of squares and its scaling; RoPE on q and k; softmax (scale, max, exp,
 * sum, normalise) in one pass over the scores; residual adds; SiLU(gate)·up.
 */
export const DECODE_ELEMENTWISE_OPS = { normSquares: 2, normScale: 2, rope: 3, softmax: 5, residual: 1, siluGate: 4 } as const;

export type KvCacheLayout = 'shift' | 'concat';

export interface DecodeLayerOptions extends AllreduceOptions {
  mesh: number; // side P of the square decode mesh
  context: number; // KV positions the new token attends to
  convention?: Convention; // default 'real'
  /** How the new K/V entry is stored ('real' only; the authors' benchmark appends nothing). Default 'shift'. */
  cache?: KvCacheLayout;
  /** Hops to the next layer's cores when it sits in another region (0: same region). */
  handoffHops?: number;
}

export interface DecodeLayerBreakdown {
  dims: LayerDims;
  gemvCycles: number; // the six local GEMV multiplies
  elementwiseCycles: number;
  stepCycles: number; // DECODE_STEPS × the machine's stepCycles
  computeCycles: number; // gemv + element-wise + steps
  allreduces: Record<DecodeAllreduceName, number>;
  allreduceCycles: number;
  kvAppendCycles: number;
  handoffCycles: number;
  totalCycles: number;
}

/** Modeled cycles of one decode layer, broken down by step. */
export function decodeLayer(spec: MachineSpec, shape: ModelShape, opts: DecodeLayerOptions): DecodeLayerBreakdown {
  const p = meshSide(spec, opts.mesh);
  const conv = checkConvention(opts.convention);
  const cache = opts.cache ?? 'shift';
  if (cache !== 'shift' && cache !== 'concat') throw new WaferError('USAGE', `perf: KV cache layout must be 'shift' or 'concat', got '${String(cache)}'`);
  const handoffHops = nonNegativeInt(opts.handoffHops ?? 0, 'hand-off hops');
  const dm = layerDims(shape, p, opts.context, conv);
  const ops = DECODE_ELEMENTWISE_OPS;
  const ew = (n: number, k: number) => elementwiseCycles(spec, n, k);
  const ar = (n: number) => allreduceCycles(spec, p, n, opts);
  const qLocal = dm.nrep * dm.kv; // this core's query values: nrep heads per kv unit it holds
  const scores = dm.heads * dm.positions; // every head's score for this row's positions

  const gemvCycles =
    localGemvCycles(spec, dm.d, (dm.nrep + 2) * dm.kv) + // 2: q, k, v in one GEMV
    localCycles(spec, { macs: qLocal * dm.positions, instructions: dm.nrep * dm.positions, loops: 1 }) + // 4: q·Kᵀ
    localCycles(spec, { macs: qLocal * dm.positions, instructions: qLocal, loops: 1 }) + // 6: probs·V
    localGemvCycles(spec, qLocal, dm.d) + // 7: O projection
    localGemvCycles(spec, dm.d, 2 * dm.h) + // 10: gate and up in one GEMV
    localGemvCycles(spec, dm.h, dm.d); // 12: down
  const elementwise =
    2 * (ew(dm.d, ops.normSquares) + ew(dm.d, ops.normScale)) + // 1, 9: RMSNorm
    ew(qLocal + dm.kv, ops.rope) + // 3: RoPE on q and k
    ew(dm.columnHeads * dm.positions, ops.softmax) + // 5: only the heads this column's units serve
    2 * ew(dm.d, ops.residual) + // 8, 13
    ew(dm.h, ops.siluGate); // 11
  const stepCycles = DECODE_STEPS * spec.stepCycles;

  const allreduces: Record<DecodeAllreduceName, number> = {
    attnNorm: ar(1), // 1: Σx² along Y
    qkv: ar((dm.nrep + 2) * dm.kv), // 2: along Y
    scores: ar(scores), // 4: along X
    softmaxMax: ar(dm.columnHeads), // 5: along Y, one value per head the column serves
    softmaxSum: ar(dm.columnHeads),
    attnValues: ar(qLocal), // 6: along Y
    attnOut: ar(dm.d), // 7: along X
    ffnNorm: ar(1), // 9: along Y
    upGate: ar(2 * dm.h), // 10: along Y
    down: ar(dm.d), // 12: along X
  };
  const allreduceTotal = DECODE_ALLREDUCES.reduce((sum, k) => sum + allreduces[k], 0);

  const c = linkCosts(spec);
  // Shift-based append (real convention, once the cache holds a full row): every row below the growing
  // one sends its oldest entry (K and V units and the position) one hop north and takes the one from below.
  const kvAppendCycles = conv === 'real' && cache === 'shift' && opts.context > p ? c.alpha + c.mu + ser(spec, 2 * dm.kv + 1) : 0;
  const handoffCycles = handoffHops > 0 ? c.alpha * handoffHops + c.mu + ser(spec, dm.d) : 0;
  const computeCycles = gemvCycles + elementwise + stepCycles;
  return {
    dims: dm,
    gemvCycles,
    elementwiseCycles: elementwise,
    stepCycles,
    computeCycles,
    allreduces,
    allreduceCycles: allreduceTotal,
    kvAppendCycles,
    handoffCycles,
    totalCycles: computeCycles + allreduceTotal + kvAppendCycles + handoffCycles,
  };
}
