// Time to first token of a whole prompt (wafer-notes §4 "Prefill"), under two conventions. 'real' follows the
// emulator (packages/llama/src/mesh/mesh-engine.ts MeshLlama.prefill): the MeshGEMM batch of every prompt
// token but the last (prefill-batch.ts, phase change included), then the decode step of the last token.
// 'paper' is the authors' timing: one layer of the whole prompt, heads of width dim, × the layer count.

import { invariant, type MachineSpec } from '@wafer/arch';
import { allreduceCycles, type AllreduceOptions } from './allreduce.js';
import { decodeStep, type DecodeStepBreakdown } from './decode-step.js';
import { elementwiseCycles } from './elementwise.js';
import { energyJoules, secondsOf } from './energy.js';
import { meshGemmCycles } from './gemm-cannon-family.js';
import { checkConvention, meshSide, type Convention } from './layer-dims.js';
import { maxBlock, positiveInt } from './link-timing.js';
import type { ModelShape } from './model-shapes.js';
import { regionHandoffCycles, type Placement } from './placement.js';
import { PREFILL_OPS, prefillBatch, type PrefillBatchBreakdown, type PrefillOpName } from './prefill-batch.js';
import { qktCycles } from './qkt.js';
import { authorsLocalGemmCycles } from './authors-gemm.js';

export interface PrefillOptions extends AllreduceOptions {
  mesh: number; // side P of the square prefill mesh
  promptTokens: number;
  convention?: Convention; // default 'real'
}

export interface PrefillBreakdown {
  /** One layer's steps ('real': a layer that is not the last; 'paper' has no phase change). */
  perLayer: Record<PrefillOpName, number>;
  layerCycles: number; // one layer
  layers: number;
  placement: Placement | null; // null under 'paper' (one layer × the layer count)
  handoffCycles: number; // the batch's region to region hand-offs ('real' with more than one region)
  /** 'real': the batch of tokens 0..T−2 (null for a one-token prompt); null under 'paper'. */
  batch: PrefillBatchBreakdown | null;
  /** 'real': the decode step of token T−1 over T positions, which gives the first logits; null under 'paper'. */
  lastToken: DecodeStepBreakdown | null;
  classifierCycles: number; // the last token's logits ('real': part of lastToken; 0 under 'paper')
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
  const layers = shape.nLayers;
  let parts: Omit<PrefillBreakdown, 'totalCycles' | 'ttftSeconds' | 'tokensPerSecond' | 'joules'>;
  let totalCycles: number;
  if (conv === 'paper') {
    const perLayer = paperLayer(spec, shape, p, T, opts);
    const layerCycles = PREFILL_OPS.reduce((sum, k) => sum + perLayer[k], 0);
    parts = { perLayer, layerCycles, layers, placement: null, handoffCycles: 0, batch: null, lastToken: null, classifierCycles: 0 };
    totalCycles = layerCycles * layers;
  } else {
    // The last token's decode step places the layers with T positions cached and checks they fit (DOES_NOT_FIT).
    const lastToken = decodeStep(spec, shape, { mesh: p, context: T, convention: 'real', strategy: opts.strategy, groups: opts.groups });
    const placement = lastToken.placement;
    invariant(placement !== null, 'perf: a real-convention decode step has a placement');
    const batch = T > 1 ? prefillBatch(spec, shape, p, T - 1, opts) : null;
    const handoffCycles = batch === null ? 0 : (placement.regionsNeeded - 1) * regionHandoffCycles(spec, p, maxBlock(T - 1, p) * maxBlock(shape.dim, p));
    const perLayer = batch?.layer ?? (Object.fromEntries(PREFILL_OPS.map((k) => [k, 0])) as Record<PrefillOpName, number>);
    parts = { perLayer, layerCycles: batch?.layerCycles ?? 0, layers, placement, handoffCycles, batch, lastToken, classifierCycles: lastToken.classifierCycles };
    totalCycles = (batch?.totalCycles ?? 0) + handoffCycles + lastToken.totalCycles;
  }
  const ttftSeconds = secondsOf(spec, totalCycles);
  return { ...parts, totalCycles, ttftSeconds, tokensPerSecond: T / ttftSeconds, joules: energyJoules(spec, totalCycles) };
}

/**
 * The authors' prefill layer: activations [T × dim], one head of width dim, K and V as wide as Q; Q, K, V, O,
 * up, gate, down by MeshGEMM (the normalised input aligned once for Q|K|V and once for up|gate); scores by
 * the transpose-free Q·Kᵀ; S·V by MeshGEMM with V skewed on chip; RMSNorm and softmax by allreduces along X.
 */
function paperLayer(spec: MachineSpec, shape: ModelShape, p: number, T: number, opts: AllreduceOptions): Record<PrefillOpName, number> {
  const rows = maxBlock(T, p); // tokens per row of cores
  const d = maxBlock(shape.dim, p);
  const scores = rows * maxBlock(T, p); // [tokens × keys] per core
  const ew = (n: number, ops: number) => elementwiseCycles(spec, n, ops);
  const ar = (n: number) => allreduceCycles(spec, p, n, opts);
  const local = authorsLocalGemmCycles; // the authors' loop nest (authors-gemm.ts)
  const gemm = (m: number, k: number, n: number, layout = {}) => meshGemmCycles(spec, { m, k, n, p, local }, layout).totalCycles;
  const norm = ew(rows * d, 2) + ar(rows) + ew(rows * d, 2); // per-token Σx² along X, then scale
  return {
    attnNorm: norm,
    qkv: gemm(T, shape.dim, shape.dim) + 2 * gemm(T, shape.dim, shape.dim, { alignA: false }),
    rope: ew(rows * 2 * d, 3),
    phaseChange: 0,
    scores: qktCycles(spec, { queries: T, keys: T, dim: shape.dim, p, local }).totalCycles, // includes scale and mask
    // Row max and row sum along X (one value per token row), exp(x − max) and the normalisation.
    softmax: ew(scores, 1) + ar(rows) + ew(scores, 2) + ew(scores, 1) + ar(rows) + ew(scores, 1),
    attnValues: meshGemmCycles(spec, { m: T, k: T, n: shape.dim, p }, { skewB: true }).totalCycles,
    attnOut: gemm(T, shape.dim, shape.dim),
    residual: 2 * ew(rows * d, 1),
    ffnNorm: norm,
    upGate: gemm(T, shape.dim, shape.hiddenDim) + gemm(T, shape.dim, shape.hiddenDim, { alignA: false }),
    silu: ew(rows * maxBlock(shape.hiddenDim, p), 4),
    down: gemm(T, shape.hiddenDim, shape.dim),
  };
}
