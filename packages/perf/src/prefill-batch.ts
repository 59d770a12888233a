// The MeshGEMM prefill batch with real heads, step by step as packages/llama/src/mesh/prefill-program.ts runs it
// on a P×P mesh: fused q|k|v and gate|up GEMMs, attention once per kv-head group (its query heads stacked along
// M), every layer's phase change into the decode cache; the last layer stops after its k|v, RoPE and phase change.

import type { MachineSpec } from '@wafer/arch';
import { allreduceCycles, type AllreduceOptions } from './allreduce.js';
import { elementwiseCycles, localGemmCycles } from './elementwise.js';
import { meshGemmCycles, type GemmLayoutOptions } from './gemm-cannon-family.js';
import { linkCosts, maxBlock, ser } from './link-timing.js';
import type { ModelShape } from './model-shapes.js';
import { qktCycles } from './qkt.js';
import { interleavedRing } from './ring-geometry.js';

/** The steps of one prefill layer, in program order (prefill-program.ts's numbered steps). */
export const PREFILL_OPS = ['attnNorm', 'qkv', 'rope', 'phaseChange', 'scores', 'softmax', 'attnValues', 'attnOut', 'residual', 'ffnNorm', 'upGate', 'silu', 'down'] as const;
export type PrefillOpName = (typeof PREFILL_OPS)[number];

/** Modeled cycles of a batch, split into its layers' steps. */
export interface PrefillBatchBreakdown {
  tokens: number; // T': the batch (every prompt token but the last)
  /** A layer that is not the last, per step. */
  layer: Record<PrefillOpName, number>;
  layerCycles: number;
  /** The last layer: RMSNorm, the k|v GEMM, RoPE on k and the phase change (the other steps are 0). */
  lastLayer: Record<PrefillOpName, number>;
  lastLayerCycles: number;
  totalCycles: number; // (layers − 1) full layers + the last layer
}

/**
 * Cycles of a MeshGEMM whose largest blocks are [mb × kb]·[kb × nb]. The program splits some dimensions
 * unevenly (heads in pairs, several heads per column), so the model is given the blocks, not the totals:
 * meshGemmCycles depends on a workload only through its largest blocks.
 */
function gemmOfBlocks(spec: MachineSpec, p: number, mb: number, kb: number, nb: number, layout: GemmLayoutOptions = {}) {
  return meshGemmCycles(spec, { m: mb * p, k: kb * p, n: nb * p, p }, layout);
}

/**
 * A MeshGEMM whose K blocks differ (`kBlocks`, one per mesh column, some possibly 0). A core sends its tiles
 * on before it multiplies them, so a large K block does not hold up the cores after it: every core meets each
 * K block once in its P steps and pays that step's own multiply. So the model takes the largest block's
 * schedule and gives back, for every smaller block, what its step costs less (an empty block still pays the
 * multiply's per-row loop; its empty tiles travel within the step).
 */
function unevenKGemmCycles(spec: MachineSpec, p: number, mb: number, kBlocks: number[], nb: number): number {
  const count = new Map<number, number>(); // K block → columns holding it (a few distinct sizes)
  for (const kb of kBlocks) count.set(kb, (count.get(kb) ?? 0) + 1);
  const full = gemmOfBlocks(spec, p, mb, Math.max(...kBlocks), nb);
  let saved = 0;
  for (const [kb, columns] of count) {
    const step = kb > 0 ? gemmOfBlocks(spec, p, mb, kb, nb).stepCommCycles : localGemmCycles(spec, mb, 0, nb);
    saved += columns * (full.stepCommCycles - step);
  }
  return full.totalCycles - saved;
}

/** Modeled cycles of prefilling `tokens` positions of `shape` on a P×P mesh (prefill-program.ts). */
export function prefillBatch(spec: MachineSpec, shape: ModelShape, p: number, tokens: number, opts: AllreduceOptions): PrefillBatchBreakdown {
  // The busiest core's blocks: tokens per mesh row, embedding dims, each head's dims (split in pairs) and
  // hidden units per column; a kv head's query heads.
  const m = maxBlock(tokens, p);
  const d = maxBlock(shape.dim, p);
  const hs = 2 * maxBlock(shape.headDim / 2, p);
  const h = maxBlock(shape.hiddenDim, p);
  const rep = shape.nHeads / shape.nKvHeads;
  const ew = (n: number, ops = 1) => elementwiseCycles(spec, n, ops);
  const ar = (n: number) => allreduceCycles(spec, p, n, opts); // along X, one value per row (token or query)
  const norm = ew(m * d, 2) + ar(m) + ew(m * d, 2); // Σx² per token, allreduced, then the scaling
  const kvHeads = shape.nKvHeads;
  const qRows = rep * m; // a group's query heads stacked along M
  const phase = phaseChangeCycles(spec, shape, p, m);
  const layer: Record<PrefillOpName, number> = {
    attnNorm: norm,
    qkv: gemmOfBlocks(spec, p, m, d, (shape.nHeads + 2 * kvHeads) * hs).totalCycles,
    rope: ew(m * shape.nHeads * hs, 3) + ew(m * kvHeads * hs, 3), // q, then k
    phaseChange: phase,
    // Per group: cut its rep query heads and its key out of q|k|v, then S = Q_g·K_gᵀ (scale and mask included).
    scores: kvHeads * ((rep + 1) * ew(m * hs) + qktCycles(spec, { queries: qRows * p, keys: m * p, dim: hs * p, p }).totalCycles),
    // Per group: scale, mask and row max (2 ops); allreduce the max; exp, row sum, allreduce the sum and
    // normalise (the exp, sum and normalisation charged as 3 ops at the end).
    softmax: kvHeads * (ew(qRows * m, 2) + 2 * ar(qRows) + ew(qRows * m, 3)),
    // Per group: cut V_g, O_g = S·V_g with V_g aligned on chip, paste each head's rows into the attention block.
    attnValues: kvHeads * (ew(m * hs) + gemmOfBlocks(spec, p, qRows, m, hs, { skewB: true }).totalCycles + rep * ew(m * hs)),
    attnOut: unevenKGemmCycles(spec, p, m, pairSplit(shape.headDim, p).sizes.map((s) => shape.nHeads * s), d), // K: every head's dims of a column
    residual: 2 * ew(m * d),
    ffnNorm: norm,
    upGate: gemmOfBlocks(spec, p, m, d, 2 * h).totalCycles,
    silu: ew(m * h, 4),
    down: gemmOfBlocks(spec, p, m, h, d).totalCycles,
  };
  const lastLayer: Record<PrefillOpName, number> = {
    ...Object.fromEntries(PREFILL_OPS.map((k) => [k, 0])) as Record<PrefillOpName, number>,
    attnNorm: norm,
    qkv: gemmOfBlocks(spec, p, m, d, 2 * kvHeads * hs).totalCycles,
    rope: ew(m * kvHeads * hs, 3),
    phaseChange: phase,
  };
  const sum = (r: Record<PrefillOpName, number>) => PREFILL_OPS.reduce((s, k) => s + r[k], 0);
  const layerCycles = sum(layer);
  const lastLayerCycles = sum(lastLayer);
  return { tokens, layer, layerCycles, lastLayer, lastLayerCycles, totalCycles: (shape.nLayers - 1) * layerCycles + lastLayerCycles };
}

/** evenSplit of n units over p parts, in pairs: sizes and offsets (prefill-layout.ts's headX, layout.ts's kvX). */
function pairSplit(n: number, p: number): { sizes: number[]; offsets: number[] } {
  const sizes = Array.from({ length: p }, (_, x) => 2 * (Math.floor(n / 2 / p) + (x < (n / 2) % p ? 1 : 0)));
  const offsets: number[] = [];
  sizes.reduce((o, s) => (offsets.push(o), o + s), 0);
  return { sizes, offsets };
}

/**
 * [src][delta]: kv units (g·headDim + i) that prefill column src holds (every kv head's dims headX(src)) and
 * the decode column delta ring steps ahead of it owns (kvX).
 */
function pieceUnits(shape: ModelShape, p: number): number[][] {
  const ring = interleavedRing(p);
  const headX = pairSplit(shape.headDim, p);
  const kvX = pairSplit(shape.nKvHeads * shape.headDim, p);
  return Array.from({ length: p }, (_, src) =>
    Array.from({ length: p }, (_, delta) => {
      const dst = ring.phys((ring.logical(src) + delta) % p);
      const lo = kvX.offsets[dst];
      const hi = lo + kvX.sizes[dst];
      let units = 0;
      for (let g = 0; g < shape.nKvHeads; g++) {
        const a = g * shape.headDim + headX.offsets[src];
        units += Math.max(0, Math.min(hi, a + headX.sizes[src]) - Math.max(lo, a));
      }
      return units;
    }),
  );
}

/**
 * The phase change of one layer (phase-change.ts) along the busiest row (m tokens), every core starting
 * together: each core packs the pieces the cores ahead on the X interleaved ring own and sends them as one
 * bundle, stores its own piece, then for P−1 steps takes the bundle of the core s steps behind, stores the
 * first piece and forwards the rest. Followed message by message under the fabric's rules (egress and
 * ingress links, flow control on each ring edge's route).
 */
export function phaseChangeCycles(spec: MachineSpec, shape: ModelShape, p: number, m: number): number {
  if (p === 1) return elementwiseCycles(spec, 2 * m * shape.nKvHeads * shape.headDim);
  const c = linkCosts(spec);
  const ring = interleavedRing(p);
  // values[src][delta]: K and V values of src's piece for the core delta ring steps ahead.
  const values = pieceUnits(shape, p).map((row) => row.map((units) => 2 * m * units));
  const bundle = (src: number, first: number) => values[src].slice(first).reduce((a, v) => a + v, 0);
  const t = new Array<number>(p).fill(0);
  const egressFree = new Array<number>(p).fill(0);
  const ingressFree = new Array<number>(p).fill(0);
  const lastTaken = new Array<number>(p).fill(0); // per receiver: when it took the last message off its route
  let inFlight: ({ start: number; n: number } | null)[] = new Array(p).fill(null); // sent to each core's successor
  const send = (x: number, n: number) => {
    const start = Math.max(t[x], egressFree[x]);
    egressFree[x] = start + ser(spec, n);
    return { start, n };
  };
  for (let x = 0; x < p; x++) {
    const out = bundle(x, 1);
    if (out > 0) {
      t[x] += elementwiseCycles(spec, out);
      inFlight[x] = send(x, out);
    }
    t[x] += elementwiseCycles(spec, values[x][0]);
  }
  for (let s = 1; s < p; s++) {
    const next: ({ start: number; n: number } | null)[] = new Array(p).fill(null);
    for (let x = 0; x < p; x++) {
      const from = ring.pred(x);
      const msg = inFlight[from];
      if (msg === null) continue;
      const hops = Math.abs(x - from);
      const start = Math.max(msg.start, lastTaken[x] + c.alpha * hops);
      const head = start + c.alpha * hops + c.mu;
      const arrive = Math.max(head, ingressFree[x]);
      ingressFree[x] = arrive + ser(spec, msg.n);
      t[x] = Math.max(t[x], arrive + ser(spec, msg.n));
      lastTaken[x] = t[x];
      const keep = values[ring.phys((ring.logical(x) - s + p) % p)][s];
      t[x] += elementwiseCycles(spec, keep);
      if (msg.n > keep) next[x] = send(x, msg.n - keep);
    }
    inFlight = next;
  }
  return Math.max(...t);
}
