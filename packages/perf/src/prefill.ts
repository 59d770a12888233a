// Prefill of a whole prompt (wafer-notes §4 "Prefill"): activations [tokens × dim] with tokens along Y and
// embedding along X; Q, K, V, O, up, gate, down by MeshGEMM; scores by the transpose-free Q·Kᵀ; S·V by
// MeshGEMM; RMSNorm and softmax by allreduces along X. Time to first token includes the classifier GEMV.

import type { MachineSpec } from '@wafer/arch';
import { allreduceCycles, type AllreduceOptions } from './allreduce.js';
import { elementwiseCycles, localGemvCycles } from './elementwise.js';
import { energyJoules, secondsOf } from './energy.js';
import { meshGemmCycles } from './gemm-cannon-family.js';
import { checkConvention, meshSide, type Convention } from './layer-dims.js';
import { maxBlock, positiveInt } from './link-timing.js';
import type { ModelShape } from './model-shapes.js';
import { placeLayers, regionHandoffCycles, requireFits, type Placement } from './placement.js';
import { qktCycles } from './qkt.js';

export interface PrefillOptions extends AllreduceOptions {
  mesh: number; // side P of the square prefill mesh
  promptTokens: number;
  convention?: Convention; // default 'real'
}

/** The named pieces of one prefill layer, in order. */
export const PREFILL_OPS = ['attnNorm', 'qkv', 'rope', 'scores', 'softmax', 'attnValues', 'attnOut', 'residual', 'ffnNorm', 'upGate', 'silu', 'down'] as const;
export type PrefillOpName = (typeof PREFILL_OPS)[number];

export interface PrefillBreakdown {
  perLayer: Record<PrefillOpName, number>;
  layerCycles: number; // one layer
  layers: number;
  placement: Placement | null; // null under 'paper' (one layer × the layer count)
  handoffCycles: number;
  classifierCycles: number; // the last token's logits
  totalCycles: number;
  ttftSeconds: number; // time to first token
  tokensPerSecond: number; // prompt tokens / TTFT
  joules: number;
}

/** Modeled cycles of prefilling `promptTokens` tokens of `shape` on P×P regions. */
export function prefill(spec: MachineSpec, shape: ModelShape, opts: PrefillOptions): PrefillBreakdown {
  const p = meshSide(spec, opts.mesh);
  const T = positiveInt(opts.promptTokens, 'prompt tokens');
  const conv = checkConvention(opts.convention);
  const qDim = conv === 'paper' ? shape.dim : shape.nHeads * shape.headDim;
  const kvDim = conv === 'paper' ? shape.dim : shape.nKvHeads * shape.headDim;
  // 'paper': one head of width dim. 'real': each head's Q·Kᵀ and S·V in turn on the whole mesh.
  const heads = conv === 'paper' ? 1 : shape.nHeads;
  const headWidth = conv === 'paper' ? shape.dim : shape.headDim;
  const rows = maxBlock(T, p); // tokens per row of cores
  const d = maxBlock(shape.dim, p);
  const keysPerCore = maxBlock(T, p);
  const ew = (n: number, ops: number) => elementwiseCycles(spec, n, ops);
  const ar = (n: number) => allreduceCycles(spec, p, n, opts);
  const gemm = (k: number, n: number, layout = {}) => meshGemmCycles(spec, { m: T, k, n, p }, layout).totalCycles;

  // RMSNorm: per-token Σx² along X (one value per token row), then scale.
  const norm = ew(rows * d, 2) + ar(rows) + ew(rows * d, 2);
  const scoresPerCore = heads * rows * keysPerCore;
  const perLayer: Record<PrefillOpName, number> = {
    attnNorm: norm,
    qkv: gemm(shape.dim, qDim) + 2 * gemm(shape.dim, kvDim, { alignA: false }), // the normalised input is aligned once
    rope: ew(rows * (maxBlock(qDim, p) + maxBlock(kvDim, p)), 3),
    scores: heads * qktCycles(spec, { queries: T, keys: T, dim: headWidth, p }).totalCycles, // includes scale and mask
    // Row max and row sum along X (one value per token row and head), exp(x − max) and the normalisation.
    softmax: ew(scoresPerCore, 1) + ar(heads * rows) + ew(scoresPerCore, 2) + ew(scoresPerCore, 1) + ar(heads * rows) + ew(scoresPerCore, 1),
    attnValues: heads * meshGemmCycles(spec, { m: T, k: T, n: headWidth, p }, { skewB: true }).totalCycles, // V skewed on chip
    attnOut: gemm(qDim, shape.dim),
    residual: 2 * ew(rows * d, 1),
    ffnNorm: norm,
    upGate: gemm(shape.dim, shape.hiddenDim) + gemm(shape.dim, shape.hiddenDim, { alignA: false }),
    silu: ew(rows * maxBlock(shape.hiddenDim, p), 4),
    down: gemm(shape.hiddenDim, shape.dim),
  };
  const layerCycles = PREFILL_OPS.reduce((sum, k) => sum + perLayer[k], 0);
  let placement: Placement | null = null;
  let handoffCycles = 0;
  let classifierCycles = 0;
  if (conv === 'real') {
    placement = placeLayers(spec, shape, { mesh: p, context: T, convention: conv });
    requireFits(spec, shape, placement);
    handoffCycles = (placement.regionsNeeded - 1) * regionHandoffCycles(spec, p, rows * d);
    const vocabBlock = maxBlock(shape.vocabSize, p);
    classifierCycles = ew(d, 2) + ar(1) + ew(d, 2) + localGemvCycles(spec, d, vocabBlock) + ar(vocabBlock);
  }
  const totalCycles = layerCycles * shape.nLayers + handoffCycles + classifierCycles;
  const ttftSeconds = secondsOf(spec, totalCycles);
  return {
    perLayer,
    layerCycles,
    layers: shape.nLayers,
    placement,
    handoffCycles,
    classifierCycles,
    totalCycles,
    ttftSeconds,
    tokensPerSecond: T / ttftSeconds,
    joules: energyJoules(spec, totalCycles),
  };
}
