// Per-core sizes of one transformer layer on a P×P mesh, under the two conventions: 'paper' (the authors'
// benchmark: one attention head of width dim, K and V as wide as Q, dimensions padded up to multiples of P)
// and 'real' (the model's own heads and GQA widths). Both split every width into evenSplit blocks.

import { WaferError, type MachineSpec } from '@wafer/arch';
import { maxBlock, positiveInt } from './link-timing.js';
import type { ModelShape } from './model-shapes.js';

export type Convention = 'paper' | 'real';

/**
 * One layer's per-core sizes in the decode layout of packages/llama/src/mesh/layout.ts: the embedding split
 * along Y; key/value units split along X in pairs, each core also holding the nrep query heads of its units;
 * hidden split along X; KV positions along Y.
 */
export interface LayerDims {
  convention: Convention;
  p: number;
  d: number; // embedding values per core: ⌈dim / P⌉
  kv: number; // key (and value) units per core: 2⌈kvDim / 2P⌉
  nrep: number; // query heads per key/value head (this core holds nrep · kv query values)
  heads: number; // query heads (scores are allreduced for every head)
  columnHeads: number; // query heads a column's kv units serve (its softmax statistics), the busiest column's
  h: number; // FFN hidden values per core
  positions: number; // KV positions per row of cores: ⌈context / P⌉
}

/** Checks a square mesh side against the machine. */
export function meshSide(spec: MachineSpec, p: number): number {
  positiveInt(p, 'mesh side P');
  const max = Math.min(spec.mesh.maxRows, spec.mesh.maxCols);
  if (p > max) throw new WaferError('USAGE', `perf: a ${p}x${p} mesh does not fit machine ${spec.name} (${spec.mesh.maxRows}x${spec.mesh.maxCols} cores)`);
  return p;
}

/** Checks a convention name (default 'real'). */
export function checkConvention(c: string | undefined): Convention {
  if (c === undefined) return 'real';
  if (c !== 'paper' && c !== 'real') throw new WaferError('USAGE', `perf: convention must be 'paper' or 'real', got '${c}'`);
  return c;
}

/** The widths a convention uses: 'paper' pads dim and hidden up to multiples of P and has one head. */
export function conventionWidths(shape: ModelShape, p: number, conv: Convention): { dim: number; hidden: number; kvDim: number; nHeads: number; nKvHeads: number } {
  if (conv === 'paper') {
    const dim = maxBlock(shape.dim, p) * p;
    return { dim, hidden: maxBlock(shape.hiddenDim, p) * p, kvDim: dim, nHeads: 1, nKvHeads: 1 };
  }
  return { dim: shape.dim, hidden: shape.hiddenDim, kvDim: shape.nKvHeads * shape.headDim, nHeads: shape.nHeads, nKvHeads: shape.nKvHeads };
}

/** Per-core sizes of a layer of `shape` on a P×P mesh with `context` KV positions. */
export function layerDims(shape: ModelShape, p: number, context: number, conv: Convention): LayerDims {
  positiveInt(p, 'mesh side P');
  positiveInt(context, 'context length');
  const w = conventionWidths(shape, p, conv);
  return {
    convention: conv,
    p,
    d: maxBlock(w.dim, p),
    columnHeads: columnHeads(w.kvDim, w.nKvHeads, w.nHeads, p),
    kv: 2 * maxBlock(w.kvDim / 2, p),
    nrep: w.nHeads / w.nKvHeads,
    heads: w.nHeads,
    h: maxBlock(w.hidden, p),
    positions: maxBlock(context, p),
  };
}

/**
 * Query heads served by the busiest column: kv units are split over the P columns in pairs, a column's block
 * may straddle kv groups, and each group it touches brings nHeads / nKvHeads query heads.
 */
function columnHeads(kvDim: number, nKvHeads: number, nHeads: number, p: number): number {
  const headDim = kvDim / nKvHeads;
  const pairs = kvDim / 2;
  let worst = 0;
  let off = 0;
  for (let x = 0; x < p; x++) {
    const size = 2 * (Math.floor(pairs / p) + (x < pairs % p ? 1 : 0));
    if (size > 0) worst = Math.max(worst, Math.floor((off + size - 1) / headDim) - Math.floor(off / headDim) + 1);
    off += size;
  }
  return worst * (nHeads / nKvHeads);
}
