// The decode step of a Llama model on the mesh, as each core runs it: one token through every layer with
// the 13 steps of WaferLLM §4 (MeshGEMV with the K-tree allreduce, alternating reduction axes so no
// transpose is ever needed), then the classifier GEMV. Row 0 keeps the logits for the coordinator.

import { elementwiseCost, route, E, PHASE, W, type Core, type CoreStep } from '@wafer/arch';
import { allreduce, attnScoresLocal, attnValuesLocal, lineOf, meshGemv, type AllreduceOptions, type AllreduceStrategy, type GemvOptions } from '@wafer/kernels';
import type { DecodeLayout } from './layout.js';
import { kvAppend, kvSlice } from './kv-cache.js';
import { recvResidual, sendResidual } from './handoff.js';
import { regionView } from './region-core.js';
import { regionOf, type RegionPlan } from './region-plan.js';
import { embeddingBuffer } from './region-place.js';

type Gen<T = void> = Generator<CoreStep, T, Float32Array>;

export interface DecodeArgs {
  layout: DecodeLayout;
  token: number;
  pos: number;
  strategy: AllreduceStrategy;
  groups?: number;
  /** The regions the step runs on (absent: every layer on the whole mesh). */
  plan?: RegionPlan;
}

const Y_COLORS = 0; // allreduces along Y use colours 0..5
const X_COLORS = 6; // along X: 6..11
const EMBED_EAST = 12;
const EMBED_WEST = 13;

/**
 * One token at position `pos`, on this core. With a region plan, the core runs on its region only: region 0
 * embeds the token, each region runs its block of layers and hands the residual to the next, and the
 * classifier's region produces the logits; cores outside every used region have nothing to do.
 */
export function* decodeStep(core: Core, a: DecodeArgs): Gen {
  const l = a.layout;
  const plan = a.plan;
  let r = 0;
  let c = core;
  let first = 0;
  let last = l.nLayers;
  if (plan !== undefined && !plan.whole) {
    r = regionOf(plan, core.x, core.y);
    if (r < 0) return;
    c = regionView(core, plan.rects[r]);
    first = plan.blocks[r].firstLayer;
    last = first + plan.blocks[r].layers;
  }
  c.phase(r === 0 ? PHASE.embedding : PHASE.regionHandoff);
  // residual stream: this row's D slice [d]
  let x = r === 0 ? yield embed(c, l, a.token, plan === undefined ? undefined : embeddingBuffer(l, plan)) : yield recvResidual(c, plan!.rects[r - 1], plan!.rects[r]);
  for (let layer = first; layer < last; layer++) x = yield decodeLayer(c, a, layer, x);
  if (plan !== undefined && r !== plan.classifierRegion) {
    c.phase(PHASE.regionHandoff);
    sendResidual(c, plan.rects[r], plan.rects[r + 1], x);
    return;
  }
  c.phase(PHASE.finalNorm);
  const opt = stepOptions(a);
  const xf = yield rmsnorm(c, l, x, c.buffer('rmsf'), opt.sumY);
  c.phase(PHASE.classifier);
  const logits = yield meshGemv(c, xf, c.buffer('wcls'), l.vX.sizes[c.x], opt.gemvY);
  if (c.y === 0) c.alloc('logits', logits.length).set(logits);
}

/** One layer alone, on the residual placed as 'x' (D slice of this row); leaves the new residual in 'out'. */
export function* decodeLayerStep(core: Core, a: DecodeArgs & { layer: number }): Gen {
  const out = yield decodeLayer(core, a, a.layer, core.buffer('x'));
  core.alloc('out', out.length).set(out);
}

/** The collectives' options of a step, built once per run (not per call: every core makes ~10 calls a layer). */
interface StepOptions {
  sumY: AllreduceOptions;
  maxY: AllreduceOptions;
  sumX: AllreduceOptions;
  gemvY: GemvOptions;
  gemvX: GemvOptions;
}
const stepOptionsOf = new WeakMap<DecodeArgs, StepOptions>();

function stepOptions(a: DecodeArgs): StepOptions {
  let opt = stepOptionsOf.get(a);
  if (opt === undefined) {
    const { strategy, groups } = a;
    opt = {
      sumY: { strategy, groups, op: 'sum', colors: Y_COLORS },
      maxY: { strategy, groups, op: 'max', colors: Y_COLORS },
      sumX: { strategy, groups, op: 'sum', colors: X_COLORS },
      gemvY: { axis: 'y', strategy, groups, colors: Y_COLORS },
      gemvX: { axis: 'x', strategy, groups, colors: X_COLORS },
    };
    stepOptionsOf.set(a, opt);
  }
  return opt;
}

/**
 * The 13 steps of one layer on this core's residual slice x [d]; returns the new residual. Each step pays
 * the machine's fixed per-step cost (stepCycles: launch and synchronisation of a step in the authors' code,
 * calibrated in docs/calibration.md).
 */
function* decodeLayer(core: Core, a: DecodeArgs, layer: number, x: Float32Array): Gen<Float32Array> {
  const l = a.layout;
  const d = l.dY.sizes[core.y];
  const b = l.kvX.sizes[core.x];
  const opt = stepOptions(a);
  const names = layerNames(layer);
  // 1. RMSNorm: sum of squares allreduced along Y (one scalar)
  core.phase(PHASE.rmsnorm);
  core.step();
  const xn = yield rmsnorm(core, l, x, core.buffer(names.rms1), opt.sumY);
  // 2. q, k, v in one GEMV: input split on Y, output split on X
  core.phase(PHASE.qkv);
  core.step();
  const qkv = yield meshGemv(core, xn, core.buffer(names.wqkv), (l.nrep + 2) * b, opt.gemvY);
  const q = qkv.subarray(0, l.nrep * b); // [nrep × b]
  const k = qkv.subarray(l.nrep * b, (l.nrep + 1) * b);
  const v = qkv.subarray((l.nrep + 1) * b);
  // 3. RoPE on q and k, then the new entry joins the shift-based cache
  core.phase(PHASE.rope);
  core.step();
  rope(core, l, q, k, a.pos);
  core.phase(PHASE.kvShift);
  const cache = yield* kvAppend(core, kvSlice(core, layer, l.kvCapacity, b, a.pos), k, v, a.pos); // yield*: it returns the cache slice, not a vector
  // 4. scores q·Kᵀ: partial dot products over this core's units, allreduced along X, per head
  core.phase(PHASE.score);
  core.step();
  const scores = yield allreduce(core, lineOf(core, 'x'), partialScores(core, l, q, cache.keys, cache.count), opt.sumX);
  // 5. softmax over every position of the cache: max and sum per head along Y
  core.phase(PHASE.softmax);
  core.step();
  const probs = yield softmax(core, l, scores, cache.count, opt);
  // 6. probs·V: partial over this row's positions, allreduced along Y → split on X
  core.phase(PHASE.attnV);
  core.step();
  const o = yield allreduce(core, lineOf(core, 'y'), weightedValues(core, l, probs, cache.values, cache.count, b), opt.sumY);
  // 7. output projection (stored transposed): input split on X, reduce along X → split on Y
  core.phase(PHASE.oProj);
  core.step();
  const attn = yield meshGemv(core, o, core.buffer(names.wo), d, opt.gemvX);
  // 8. residual
  core.phase(PHASE.residual);
  core.step();
  const x1 = add(core, x, attn);
  // 9. RMSNorm
  core.phase(PHASE.rmsnorm);
  core.step();
  const xn2 = yield rmsnorm(core, l, x1, core.buffer(names.rms2), opt.sumY);
  // 10. gate and up in one GEMV: split on Y → split on X
  core.phase(PHASE.ffnUpGate);
  core.step();
  const gu = yield meshGemv(core, xn2, core.buffer(names.w13), 2 * l.hX.sizes[core.x], opt.gemvY);
  // 11. SiLU(gate) × up
  core.phase(PHASE.swiglu);
  core.step();
  const hh = swiglu(core, gu);
  // 12. down projection (stored transposed): split on X → split on Y, the next layer's input
  core.phase(PHASE.down);
  core.step();
  const ffn = yield meshGemv(core, hh, core.buffer(names.w2), d, opt.gemvX);
  // 13. residual
  core.phase(PHASE.residual);
  core.step();
  return add(core, x1, ffn);
}

type LayerBuffer = 'rms1' | 'rms2' | 'wqkv' | 'wo' | 'w13' | 'w2';
const layerNameCache: Record<LayerBuffer, string>[] = [];

/** The buffer names of a layer's weights, built once (a lookup per use would rebuild and rehash the string). */
function layerNames(layer: number): Record<LayerBuffer, string> {
  let n = layerNameCache[layer];
  if (n === undefined) {
    n = { rms1: `L${layer}.rms1`, rms2: `L${layer}.rms2`, wqkv: `L${layer}.wqkv`, wo: `L${layer}.wo`, w13: `L${layer}.w13`, w2: `L${layer}.w2` };
    layerNameCache[layer] = n;
  }
  return n;
}

/** The token's embedding row, held by the column that owns its vocabulary block, multicast along every row. */
function* embed(core: Core, l: DecodeLayout, token: number, tableName = l.sharedClassifier ? 'wcls' : 'embd'): Gen<Float32Array> {
  let owner = 0;
  while (owner + 1 < l.cols && l.vX.offsets[owner + 1] <= token) owner++;
  if (core.x !== owner) return yield core.recv(core.x > owner ? EMBED_EAST : EMBED_WEST);
  const table = core.buffer(tableName); // [d × vocab block]
  const vb = l.vX.sizes[owner];
  const col = token - l.vX.offsets[owner];
  const e = core.scratch(table.length / vb);
  for (let i = 0; i < e.length; i++) e[i] = table[i * vb + col];
  core.compute(elementwiseCost(e.length));
  if (owner + 1 < l.cols) core.send(route(EMBED_EAST, E, l.cols - 1 - owner, true), e);
  if (owner > 0) core.send(route(EMBED_WEST, W, owner, true), e);
  return e;
}

/** weight ⊙ x / rms(x) where the mean square is over the whole vector (this row's slice + allreduce on Y). */
function* rmsnorm(core: Core, l: DecodeLayout, x: Float32Array, weight: Float32Array, opts: AllreduceOptions): Gen<Float32Array> {
  const total = yield allreduce(core, lineOf(core, 'y'), sumOfSquares(core, x), opts);
  return normalize(core, l, x, weight, total[0]);
}

// The local halves of rmsnorm, outside its generator (whose locals live in a heap frame allocated per call).

/** [Σ x_i²] over this core's slice. */
function sumOfSquares(core: Core, x: Float32Array): Float32Array {
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += x[i] * x[i];
  core.compute(elementwiseCost(x.length, 2));
  const sum = core.scratch(1);
  sum[0] = ss;
  return sum;
}

/** weight ⊙ x / √(total / dim + ε), rounded as the reference engine rounds. */
function normalize(core: Core, l: DecodeLayout, x: Float32Array, weight: Float32Array, total: number): Float32Array {
  const f32 = Math.fround;
  const scale = f32(1 / f32(Math.sqrt(f32(f32(total / l.dim) + f32(l.normEps)))));
  const out = core.scratch(x.length);
  for (let i = 0; i < x.length; i++) out[i] = weight[i] * f32(scale * x[i]);
  core.compute(elementwiseCost(x.length, 2));
  return out;
}

/** Rotates the adjacent pairs of this core's q (all nrep heads of its units) and k at position pos. */
function rope(core: Core, l: DecodeLayout, q: Float32Array, k: Float32Array, pos: number): void {
  const b = k.length;
  const kvOff = l.kvX.offsets[core.x];
  const f32 = Math.fround;
  for (let jl = 0; jl < b; jl += 2) {
    const i = (kvOff + jl) % l.headDim;
    const angle = f32(pos * l.ropeFreqs[i / 2]);
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    for (let r = 0; r <= l.nrep; r++) {
      const vec = r < l.nrep ? q : k;
      const o = r < l.nrep ? r * b + jl : jl;
      const v0 = vec[o];
      const v1 = vec[o + 1];
      vec[o] = v0 * c - v1 * s;
      vec[o + 1] = v0 * s + v1 * c;
    }
  }
  core.compute(elementwiseCost((l.nrep + 1) * b, 3));
}

/** partial[h × T]: this core's share of q_h · k_t for every head h and each of this row's T positions. */
function partialScores(core: Core, l: DecodeLayout, q: Float32Array, keys: Float32Array, count: number): Float32Array {
  const b = keys.length / l.kvCapacity;
  const kvOff = l.kvX.offsets[core.x];
  const out = core.scratch(l.nHeads * count);
  attnScoresLocal(out, q, keys, b, count, l.nrep, kvOff, l.headDim);
  core.compute({ macs: l.nrep * b * count, instructions: l.nrep * count, loops: 1 });
  return out;
}

/** The query heads whose kv group overlaps this core's kv units, [firstHead, endHead): the only ones its P·V step needs. */
function firstHead(l: DecodeLayout, x: number): number {
  return Math.floor(l.kvX.offsets[x] / l.headDim) * l.nrep;
}
function endHead(l: DecodeLayout, x: number): number {
  return (Math.floor((l.kvX.offsets[x] + l.kvX.sizes[x] - 1) / l.headDim) + 1) * l.nrep;
}

/**
 * Softmax of scores[h × T] over every position of the cache (this row's T plus the other rows'), for this
 * column's heads only: every core of a column holds the same kv units, so max and sum are allreduced along Y
 * per head of the column, and the other heads' probabilities are never needed here.
 */
function* softmax(core: Core, l: DecodeLayout, scores: Float32Array, count: number, opt: StepOptions): Gen<Float32Array> {
  const s = core.scratch(scores.length);
  const gmax = yield allreduce(core, lineOf(core, 'y'), scaledScores(core, l, scores, count, s), opt.maxY);
  const gsum = yield allreduce(core, lineOf(core, 'y'), exponentials(core, l, s, count, gmax), opt.sumY);
  normalizeRows(core, l, s, count, gsum);
  return s;
}

// The local steps of softmax, outside its generator (whose locals live in a heap frame allocated per call).

/** s = scores / √headDim for this column's heads; returns their maxima over this row's positions. */
function scaledScores(core: Core, l: DecodeLayout, scores: Float32Array, count: number, s: Float32Array): Float32Array {
  const f32 = Math.fround;
  const scale = f32(Math.sqrt(l.headDim));
  const h0 = firstHead(l, core.x);
  const h1 = endHead(l, core.x);
  const max = core.scratch(h1 - h0).fill(Number.NEGATIVE_INFINITY);
  for (let h = h0; h < h1; h++) {
    for (let t = 0; t < count; t++) {
      const v = f32(scores[h * count + t]) / scale;
      s[h * count + t] = v;
      if (v > max[h - h0]) max[h - h0] = v;
    }
  }
  return max;
}

/** s = exp(s − max of its head), in place; returns each head's sum over this row's positions. */
function exponentials(core: Core, l: DecodeLayout, s: Float32Array, count: number, gmax: Float32Array): Float32Array {
  const f32 = Math.fround;
  const h0 = firstHead(l, core.x);
  const h1 = endHead(l, core.x);
  const sum = core.scratch(h1 - h0);
  for (let h = h0; h < h1; h++) {
    let acc = 0;
    for (let t = 0; t < count; t++) {
      const e = f32(Math.exp(f32(s[h * count + t] - gmax[h - h0])));
      s[h * count + t] = e;
      acc = f32(acc + e);
    }
    sum[h - h0] = acc;
  }
  return sum;
}

/** s /= the sum of its head, in place. */
function normalizeRows(core: Core, l: DecodeLayout, s: Float32Array, count: number, gsum: Float32Array): void {
  const h0 = firstHead(l, core.x);
  const h1 = endHead(l, core.x);
  for (let h = h0; h < h1; h++) for (let t = 0; t < count; t++) s[h * count + t] /= gsum[h - h0];
  core.compute(elementwiseCost((h1 - h0) * count, 5));
}

/** partial o[r × b] = Σ_t p[h(r, unit), t] · V[t, unit] over this row's positions. */
function weightedValues(core: Core, l: DecodeLayout, probs: Float32Array, values: Float32Array, count: number, b: number): Float32Array {
  const kvOff = l.kvX.offsets[core.x];
  const out = core.scratch(l.nrep * b);
  attnValuesLocal(out, probs, values, b, count, l.nrep, kvOff, l.headDim); // each sum in double, rounded once
  core.compute({ macs: l.nrep * b * count, instructions: l.nrep * b, loops: 1 });
  return out;
}

function add(core: Core, x: Float32Array, y: Float32Array): Float32Array {
  const out = core.scratch(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] + y[i];
  core.compute(elementwiseCost(x.length));
  return out;
}

/** [gate (h) | up (h)] → silu(gate) · up [h]. */
function swiglu(core: Core, gu: Float32Array): Float32Array {
  const h = gu.length / 2;
  const out = core.scratch(h);
  const f32 = Math.fround;
  for (let i = 0; i < h; i++) {
    const g = gu[i];
    out[i] = f32(g * f32(1 / (1 + f32(Math.exp(-g))))) * gu[h + i]; // as the reference: silu(g) · up
  }
  core.compute(elementwiseCost(h, 4));
  return out;
}
