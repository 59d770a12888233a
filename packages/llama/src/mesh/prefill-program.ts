// The prefill program as each core runs it (WaferLLM §4, prefill): a batch of T' prompt tokens through every
// layer with MeshGEMM, tokens along Y and features along X, ending with the phase change of every layer's
// keys and values into the decode cache. The last layer stops there: nothing reads its attention or FFN.

import { PHASE, type Core, type CoreStep } from '@wafer/arch';
import { meshGemm, qkt, RING_COLORS, type AllreduceOptions, type AllreduceStrategy } from '@wafer/kernels';
import type { DecodeLayout } from './layout.js';
import { phaseChange } from './phase-change.js';
import { addInto, causalSoftmaxRows, cutColumns, pasteColumns, rmsnormRows, ropeRows, swigluRows } from './prefill-ops.js';
import { qkvWidth, tokenSplit, type PrefillLayout } from './prefill-layout.js';

type Gen<T = void> = Generator<CoreStep, T, Float32Array>;

export interface PrefillArgs {
  layout: DecodeLayout;
  pre: PrefillLayout;
  tokens: number; // T': positions 0..T'-1, their embeddings placed as 'pf.x' [m × dX(x)]
  strategy: AllreduceStrategy;
  groups?: number;
  /** Layers first..first+count-1 only (default: every layer); 'pf.x' is their input and is left as their output. */
  first?: number;
  count?: number;
  /** Layers whose keys and values stay here as 'pk<l>' and 'pv<l>' (for a relayout into another grid) instead of the phase change. */
  stash?: number[];
}

// Colours. Every kernel call reuses the same flows, so a receiver gets each colour from one sender only:
const GEMM_COLORS = 0; // MeshGEMM: X ring 0..7 (the phase change rides its forward flows), Y ring 8..15
const QKT_COLORS = GEMM_COLORS + RING_COLORS; // Q·Kᵀ's K shifts are the Y ring's backward flows; its row reduction uses 16, 17
const X_ALLREDUCE_COLORS = 18; // allreduces along X (RMSNorm, softmax max and sum): 18..23

/** Everything about this core's blocks that every step needs. */
interface Ctx {
  core: Core;
  a: PrefillArgs;
  tok: { sizes: number[]; offsets: number[] }; // [P] tokens per row
  m: number; // tokens of this row
  pos0: number; // position of this row's first token
  hs: number; // dims of each head on this column
  ar: (op: 'sum' | 'max') => AllreduceOptions;
  /** MeshGEMM on this core: A rows per mesh row are the row's tokens unless `mBlocks` says otherwise. */
  gemm: (a: string, b: string, out: string, kBlocks: number[], nBlocks: number[], alignB?: boolean, mBlocks?: number[]) => Gen;
}

/** T' tokens through every layer, on this core; leaves every layer's K/V in the decode cache. */
export function* prefillProgram(core: Core, a: PrefillArgs): Gen {
  const { layout: l, pre } = a;
  const tok = tokenSplit(a.tokens, pre.P);
  const c: Ctx = {
    core,
    a,
    tok,
    m: tok.sizes[core.y],
    pos0: tok.offsets[core.y],
    hs: pre.headX.sizes[core.x],
    ar: (op) => ({ strategy: a.strategy, groups: a.groups, op, colors: X_ALLREDUCE_COLORS }),
    gemm: (A, B, out, kBlocks, nBlocks, alignB = false, mBlocks = tok.sizes) =>
      meshGemm(core, { mBlocks, kBlocks, nBlocks, a: A, b: B, out, scratch: 'pf.gemm', colors: GEMM_COLORS, alignB }),
  };
  const { m, hs } = c;
  const dx = pre.dX.sizes[core.x];
  const freqs = Float32Array.from(l.ropeFreqs); // [headDim/2]
  const columns = Array.from({ length: pre.P }, (_, x) => x);
  const x = core.buffer('pf.x'); // [m × dx] the residual stream
  const first = a.first ?? 0;
  const end = first + (a.count ?? l.nLayers);
  for (let layer = first; layer < end; layer++) {
    const last = layer === l.nLayers - 1;
    const w = (name: string) => `P${layer}.${name}`;
    // 1. RMSNorm per token: sums of squares allreduced along X
    core.phase(PHASE.rmsnorm);
    yield rmsnormRows(core, core.alloc('pf.xn', m * dx), x, core.buffer(w('rms1')), m, l.dim, l.normEps, c.ar('sum'));
    // 2. q, k, v by one MeshGEMM: [m × D] · [D × (q | k | v) heads' dims] (the last layer: k and v only)
    core.phase(PHASE.qkv);
    const widths = columns.map((cx) => qkvWidth(l, pre, cx, !last));
    yield c.gemm('pf.xn', w(last ? 'wkv' : 'wqkv'), 'pf.qkv', pre.dX.sizes, widths);
    core.free('pf.xn');
    const qkv = core.buffer('pf.qkv'); // [m × W]
    const W = widths[core.x];
    const kCol0 = last ? 0 : l.nHeads * hs;
    // 3. RoPE on q and k at the tokens' global positions
    core.phase(PHASE.rope);
    const dim0 = pre.headX.offsets[core.x];
    if (!last) ropeRows(core, qkv, W, m, 0, l.nHeads, hs, dim0, c.pos0, freqs);
    ropeRows(core, qkv, W, m, kCol0, l.nKvHeads, hs, dim0, c.pos0, freqs);
    // 4. phase change: this layer's keys and values join the decode cache (or wait here for another grid's)
    core.phase(PHASE.phaseChange);
    if (a.stash?.includes(layer)) stashKv(core, layer, qkv, m, W, kCol0, l.nKvHeads * hs);
    else yield phaseChange(core, { layout: l, pre, layer, tokens: a.tokens, m, pos0: c.pos0, kv: qkv, stride: W, kCol0, colors: GEMM_COLORS });
    if (last) {
      core.free('pf.qkv');
      break;
    }
    // 5-8. causal attention, one kv head group at a time → 'pf.attn' [m × nHeads·hs]
    yield attention(c, qkv, W, kCol0);
    core.free('pf.qkv');
    // 9. output projection: K = every head's dims of this column, N = D split along X; 10. residual
    core.phase(PHASE.oProj);
    yield c.gemm('pf.attn', w('wo'), 'pf.proj', pre.headX.sizes.map((s) => l.nHeads * s), pre.dX.sizes);
    core.free('pf.attn');
    core.phase(PHASE.residual);
    addInto(core, x, core.buffer('pf.proj'));
    core.free('pf.proj');
    // 11. RMSNorm; 12. gate and up by one MeshGEMM; 13. SiLU(gate)·up
    core.phase(PHASE.rmsnorm);
    yield rmsnormRows(core, core.alloc('pf.xn', m * dx), x, core.buffer(w('rms2')), m, l.dim, l.normEps, c.ar('sum'));
    core.phase(PHASE.ffnUpGate);
    yield c.gemm('pf.xn', w('w13'), 'pf.gu', pre.dX.sizes, pre.hX.sizes.map((s) => 2 * s));
    core.free('pf.xn');
    core.phase(PHASE.swiglu);
    swigluRows(core, core.alloc('pf.hh', m * pre.hX.sizes[core.x]), core.buffer('pf.gu'), m, pre.hX.sizes[core.x]);
    core.free('pf.gu');
    // 14. down projection; 15. residual
    core.phase(PHASE.down);
    yield c.gemm('pf.hh', w('w2'), 'pf.proj', pre.hX.sizes, pre.dX.sizes);
    core.free('pf.hh');
    core.phase(PHASE.residual);
    addInto(core, x, core.buffer('pf.proj'));
    core.free('pf.proj');
  }
  if (end === l.nLayers) core.free('pf.x');
}

/** Keeps a layer's keys and values [m × nKvHeads·hs] (RoPE applied) as 'pk<layer>' and 'pv<layer>'. */
function stashKv(core: Core, layer: number, qkv: Float32Array, m: number, W: number, kCol0: number, n: number): void {
  cutColumns(core, core.alloc(`pk${layer}`, m * n), qkv, m, W, kCol0, n);
  cutColumns(core, core.alloc(`pv${layer}`, m * n), qkv, m, W, kCol0 + n, n);
}

/**
 * Per kv head g, for its nrep query heads at once (the paper's per-head-group dist-ops): Q_g stacks those
 * heads' queries of this row's tokens [nrep·m × hs] (row r·m + i: head g·nrep + r, token i). S = Q_g·K_gᵀ by
 * the transpose-free kernel (queries along Y, keys along X), scaled, causally masked and softmaxed per query
 * row; then O_g = S·V_g by MeshGEMM with V_g aligned on chip (it was produced here with its tokens along Y,
 * not pre-skewed). Each head's rows of O_g join 'pf.attn' at columns h·hs. Every score and output is the same
 * sum, in the same order, as head by head.
 */
function* attention(c: Ctx, qkv: Float32Array, W: number, kCol0: number): Gen {
  const { core, a, tok, m, hs } = c;
  const l = a.layout;
  const rep = l.nrep;
  const vCol0 = kCol0 + l.nKvHeads * hs;
  const attn = core.alloc('pf.attn', m * l.nHeads * hs); // [m × nHeads·hs]
  const queryRows = tok.sizes.map((s) => rep * s); // [P] stacked query rows per mesh row
  for (let g = 0; g < l.nKvHeads; g++) {
    core.phase(PHASE.score);
    const q = core.alloc('pf.qg', rep * m * hs); // [nrep·m × hs]
    for (let r = 0; r < rep; r++) cutColumns(core, q.subarray(r * m * hs, (r + 1) * m * hs), qkv, m, W, (g * rep + r) * hs, hs);
    cutColumns(core, core.alloc('pf.kg', m * hs), qkv, m, W, kCol0 + g * hs, hs);
    yield qkt(core, { qBlocks: queryRows, kBlocks: tok.sizes, dBlocks: a.pre.headX.sizes, q: 'pf.qg', k: 'pf.kg', out: 'pf.s', colors: QKT_COLORS });
    core.free('pf.qg');
    core.free('pf.kg');
    core.phase(PHASE.softmax);
    yield causalSoftmaxRows(core, core.buffer('pf.s'), rep * m, m, tok.sizes[core.x], c.pos0, tok.offsets[core.x], l.headDim, c.ar('max'), c.ar('sum'));
    core.phase(PHASE.attnV);
    cutColumns(core, core.alloc('pf.vg', m * hs), qkv, m, W, vCol0 + g * hs, hs);
    yield c.gemm('pf.s', 'pf.vg', 'pf.og', tok.sizes, a.pre.headX.sizes, true, queryRows);
    core.free('pf.s');
    core.free('pf.vg');
    const o = core.buffer('pf.og'); // [nrep·m × hs]
    for (let r = 0; r < rep; r++) pasteColumns(core, attn, l.nHeads * hs, (g * rep + r) * hs, o.subarray(r * m * hs, (r + 1) * m * hs), m, hs);
    core.free('pf.og');
  }
}
