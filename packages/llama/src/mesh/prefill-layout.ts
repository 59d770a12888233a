// The prefill layout of a Llama model on a square P×P mesh (WaferLLM §4, prefill by MeshGEMM): which rows
// and columns of every activation and weight each core holds, and the index maps that cut the weights.
//
//   tokens T'            split along Y: evenSplit(T', P), the decode cache's row distribution
//   embedding dim D      split along X (dX)
//   head dims            every head's headDim split along X in pairs (headX), so RoPE pairs never straddle
//                        cores; column x holds dims headX(x) of EVERY head, head-major: [h0 dims | h1 dims | …]
//   hidden H             split along X (the decode layout's hX)
// Weights are in x·W orientation ([in × out]) and pre-skewed for MeshGEMM: core (x, y) holds the K-block
// k0 = ring.phys((L(x) + L(y)) mod P) of the column block x.

import { WaferError } from '@wafer/arch';
import { interleavedRing } from '@wafer/kernels';
import { axisSplit, type AxisSplit, type DecodeLayout } from './layout.js';

export interface PrefillLayout {
  /** Side of the square mesh. */
  P: number;
  dX: AxisSplit; // [P] embedding dims per column
  headX: AxisSplit; // [P] dims of each head per column (even sizes)
  hX: AxisSplit; // [P] hidden units per column
}

/** The prefill split of a decode layout's model on the same mesh; MeshGEMM needs it square. */
export function prefillLayout(l: DecodeLayout): PrefillLayout {
  if (l.rows !== l.cols) throw new WaferError('USAGE', `--mesh ${l.rows}x${l.cols}: the MeshGEMM prefill needs a square P×P mesh (use --prefill decode)`);
  return { P: l.cols, dX: axisSplit(l.dim, l.cols), headX: axisSplit(l.headDim, l.cols, 2), hX: l.hX };
}

/** Tokens per mesh row for a batch of `tokens` positions (0..tokens-1, in order down the rows). */
export function tokenSplit(tokens: number, P: number): AxisSplit {
  return axisSplit(tokens, P);
}

/** The K-block MeshGEMM's host skew puts on core (x, y): ring.phys((L(x) + L(y)) mod P). */
export function skewedBlock(P: number, x: number, y: number): number {
  const ring = interleavedRing(P);
  return ring.phys((ring.logical(x) + ring.logical(y)) % P);
}

/** The dims of head `head` that column x holds: head·headDim + headX(x). */
function headDims(l: DecodeLayout, pre: PrefillLayout, x: number, head: number): number[] {
  return Array.from({ length: pre.headX.sizes[x] }, (_, j) => head * l.headDim + pre.headX.offsets[x] + j);
}

/** Attention units (h·headDim + i, the columns of Wo) that column x holds, head-major: [nHeads · hs]. */
export function attentionUnits(l: DecodeLayout, pre: PrefillLayout, x: number): number[] {
  return Array.from({ length: l.nHeads }, (_, h) => headDims(l, pre, x, h)).flat();
}

/** Key/value units (g·headDim + i) that column x holds, ascending (kv-head-major): [nKvHeads · hs]. */
export function kvUnits(l: DecodeLayout, pre: PrefillLayout, x: number): number[] {
  return Array.from({ length: l.nKvHeads }, (_, g) => headDims(l, pre, x, g)).flat();
}

/** One output column of the fused q/k/v GEMM: which weight and which of its rows. */
export interface QkvColumn {
  weight: 'q' | 'k' | 'v';
  row: number;
}

/**
 * Output columns of the fused GEMM on column x: [q of every head | k of every kv head | v of every kv head],
 * each head's dims headX(x). Without q (the last layer, whose queries nothing reads): [k | v].
 */
export function qkvColumns(l: DecodeLayout, pre: PrefillLayout, x: number, withQ: boolean): QkvColumn[] {
  const kv = kvUnits(l, pre, x);
  return [
    ...(withQ ? attentionUnits(l, pre, x).map((row) => ({ weight: 'q' as const, row })) : []),
    ...kv.map((row) => ({ weight: 'k' as const, row })),
    ...kv.map((row) => ({ weight: 'v' as const, row })),
  ];
}

/** Width of the fused GEMM's output on column x: (nHeads + 2·nKvHeads)·hs, or 2·nKvHeads·hs without q. */
export function qkvWidth(l: DecodeLayout, pre: PrefillLayout, x: number, withQ: boolean): number {
  return ((withQ ? l.nHeads : 0) + 2 * l.nKvHeads) * pre.headX.sizes[x];
}
