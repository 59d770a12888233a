// The decode layout of a Llama model on an R×C mesh (WaferLLM §4): which slice of every vector and which
// block of every weight each core holds. Computed once on the host and passed to every core program.
//
//   embedding dim D      split along Y (row y holds D slice y), replicated along X
//   kv units j = g·hd+i  split along X in pairs (so RoPE pairs never straddle cores); query heads follow
//                        their kv head: core x holds q[g·nrep + r, i] for every r and its units (g, i)
//   hidden H, vocab V    split along X
//   KV cache             positions along Y (shift-based, evenly spread), kv units along X

import { evenSplit, WaferError, type MeshShape } from '@wafer/arch';
import type { LlamaConfig } from '../model/types.js';

/** Sizes and offsets of a dimension split over the cores of one axis. */
export interface AxisSplit {
  sizes: number[];
  offsets: number[];
}

export interface DecodeLayout {
  rows: number;
  cols: number;
  dim: number;
  hidden: number;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  headDim: number;
  nrep: number; // query heads per kv head
  vocab: number;
  seqLen: number;
  normEps: number;
  /** RoPE inverse frequencies of the headDim/2 pairs (float32 values, Llama 3 scaling applied). */
  ropeFreqs: number[];
  dY: AxisSplit;
  kvX: AxisSplit;
  hX: AxisSplit;
  vX: AxisSplit;
  /** KV entries a core may hold: ⌈seqLen / rows⌉. */
  kvCapacity: number;
  sharedClassifier: boolean;
}

export function axisSplit(n: number, parts: number, unit = 1): AxisSplit {
  const sizes = evenSplit(n / unit, parts).map((s) => s * unit);
  const offsets: number[] = [];
  sizes.reduce((o, s) => (offsets.push(o), o + s), 0);
  return { sizes, offsets };
}

/** Checks that every split dimension gives each core at least one element, then builds the layout. */
export function decodeLayout(config: LlamaConfig, mesh: MeshShape, ropeFreqs: Float32Array, flag = '--mesh'): DecodeLayout {
  const { rows, cols } = mesh;
  const kvDim = config.nKvHeads * config.headDim;
  const limits: [string, number, number][] = [
    [`the embedding dim (${config.dim}) over ${rows} rows`, config.dim, rows],
    [`the ${kvDim / 2} key/value pairs over ${cols} columns`, kvDim / 2, cols],
    [`the hidden dim (${config.hiddenDim}) over ${cols} columns`, config.hiddenDim, cols],
  ];
  for (const [what, n, parts] of limits) {
    if (parts > n) throw new WaferError('MESH_TOO_LARGE', `${flag} ${rows}x${cols} is larger than the model can split: ${what} leaves cores empty`);
  }
  return {
    rows,
    cols,
    dim: config.dim,
    hidden: config.hiddenDim,
    nLayers: config.nLayers,
    nHeads: config.nHeads,
    nKvHeads: config.nKvHeads,
    headDim: config.headDim,
    nrep: config.nHeads / config.nKvHeads,
    vocab: config.vocabSize,
    seqLen: config.seqLen,
    normEps: config.normEps,
    ropeFreqs: Array.from(ropeFreqs),
    dY: axisSplit(config.dim, rows),
    kvX: axisSplit(kvDim, cols, 2),
    hX: axisSplit(config.hiddenDim, cols),
    vX: axisSplit(config.vocabSize, cols),
    kvCapacity: Math.ceil(config.seqLen / rows),
    sharedClassifier: config.sharedClassifier,
  };
}

/** KV entries held by row r when the cache holds n entries: the top rows take the remainder. */
export function rowCount(n: number, rows: number, r: number): number {
  return Math.floor(n / rows) + (r < n % rows ? 1 : 0);
}
