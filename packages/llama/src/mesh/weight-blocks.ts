// Every block a layer's weights, keys and values and the prefill activation occupy, as index blocks of logical
// matrices (x·W orientation, [in × out]), so a relayout can move them between the prefill layout on a P×P prefill
// region and the decode layout on a decode region, or from one region to the next. The index maps are exactly
// place-weights.ts's and place-prefill-weights.ts's; only the cores are global here (each grid's rectangle).
//
//   qkv  [D × (qDim + 2·kvDim)]   columns: q units, then qDim + k units, then qDim + kvDim + v units
//   o    [qDim × D]               rows: attention units h·headDim + i
//   gu   [D × 2H]                 columns: gate units, then H + up units
//   down [H × D]

import type { RegionRect } from '@wafer/arch';
import { interleavedRing, type IndexBlock, type RelayoutMatrix } from '@wafer/kernels';
import { rowCount, type AxisSplit, type DecodeLayout } from './layout.js';
import { queryRow } from './place-weights.js';
import { attentionUnits, kvUnits, qkvColumns, skewedBlock, tokenSplit, type PrefillLayout } from './prefill-layout.js';

/** The decode layout on a decode region, and the prefill layout on a prefill region. */
export interface Grids {
  dec: DecodeLayout;
  decRect: RegionRect;
  /** The decode layout of the prefill region's shape (its hidden split), and the prefill layout built from it. */
  pfl: DecodeLayout;
  pre: PrefillLayout;
  preRect: RegionRect;
}

export type WeightName = 'qkv' | 'o' | 'gu' | 'down';
export const MOVED_WEIGHTS: readonly WeightName[] = ['qkv', 'o', 'gu', 'down'];

const range = (o: number, n: number) => Array.from({ length: n }, (_, i) => o + i);
const span = (s: AxisSplit, p: number) => range(s.offsets[p], s.sizes[p]);

/** Owner part of each index 0..n-1 under a split. */
function owners(s: AxisSplit): Int32Array {
  const total = s.offsets[s.offsets.length - 1] + s.sizes[s.sizes.length - 1];
  const out = new Int32Array(total);
  s.sizes.forEach((n, p) => out.fill(p, s.offsets[p], s.offsets[p] + n));
  return out;
}

/** A block map over a rectangle: local coordinates in, null outside. */
function inRect(rect: RegionRect, f: (lx: number, ly: number) => IndexBlock): (x: number, y: number) => IndexBlock | null {
  return (x, y) => {
    const lx = x - rect.x0;
    const ly = y - rect.y0;
    return lx < 0 || ly < 0 || lx >= rect.cols || ly >= rect.rows ? null : f(lx, ly);
  };
}

/** The prefill row (local) whose core in column lx holds K-block `block`: the inverse of the host's skew. */
function unskew(P: number, lx: number, block: number): number {
  const ring = interleavedRing(P);
  return ring.phys((ring.logical(block) - ring.logical(lx) + P) % P);
}

/** Decode blocks and owners of one weight (place-weights.ts). */
function decodeSide(g: Grids, w: WeightName) {
  const l = g.dec;
  const r = g.decRect;
  const qDim = l.nHeads * l.headDim;
  const kvDim = l.nKvHeads * l.headDim;
  const dOwner = owners(l.dY);
  const kvOwner = owners(l.kvX);
  const hOwner = owners(l.hX);
  const unitOwner = (u: number) => kvOwner[Math.floor(Math.floor(u / l.headDim) / l.nrep) * l.headDim + (u % l.headDim)]; // a query unit follows its kv unit
  const qRows = (lx: number) => range(0, l.nrep * l.kvX.sizes[lx]).map((c) => queryRow(l, l.kvX.offsets[lx], l.kvX.sizes[lx], c));
  switch (w) {
    case 'qkv': {
      const cols = (lx: number) => [...qRows(lx), ...span(l.kvX, lx).map((j) => qDim + j), ...span(l.kvX, lx).map((j) => qDim + kvDim + j)];
      const colOwner = (c: number) => (c < qDim ? unitOwner(c) : kvOwner[(c - qDim) % kvDim]);
      return { block: inRect(r, (lx, ly) => ({ rows: span(l.dY, ly), cols: cols(lx) })), xByRow: false, xOf: (c: number) => r.x0 + colOwner(c), yOf: (_x: number, i: number) => r.y0 + dOwner[i] };
    }
    case 'o':
      return { block: inRect(r, (lx, ly) => ({ rows: qRows(lx), cols: span(l.dY, ly) })), xByRow: true, xOf: (u: number) => r.x0 + unitOwner(u), yOf: (_x: number, d: number) => r.y0 + dOwner[d] };
    case 'gu':
      return { block: inRect(r, (lx, ly) => ({ rows: span(l.dY, ly), cols: [...span(l.hX, lx), ...span(l.hX, lx).map((h) => l.hidden + h)] })), xByRow: false, xOf: (c: number) => r.x0 + hOwner[c % l.hidden], yOf: (_x: number, i: number) => r.y0 + dOwner[i] };
    case 'down':
      return { block: inRect(r, (lx, ly) => ({ rows: span(l.hX, lx), cols: span(l.dY, ly) })), xByRow: true, xOf: (h: number) => r.x0 + hOwner[h], yOf: (_x: number, d: number) => r.y0 + dOwner[d] };
  }
}

/** Prefill blocks and owners of one weight (place-prefill-weights.ts), pre-skewed for MeshGEMM. */
function prefillSide(g: Grids, w: WeightName) {
  const { pfl: l, pre, preRect: r } = g;
  const P = pre.P;
  const qDim = l.nHeads * l.headDim;
  const kvDim = l.nKvHeads * l.headDim;
  const dOwner = owners(pre.dX);
  const headOwner = owners(pre.headX);
  const hOwner = owners(pre.hX);
  const k0 = (lx: number, ly: number) => skewedBlock(P, lx, ly);
  const row = (x: number, block: number) => r.y0 + unskew(P, x - r.x0, block);
  switch (w) {
    case 'qkv': {
      const cols = (lx: number) => qkvColumns(l, pre, lx, true).map((c) => (c.weight === 'q' ? c.row : c.weight === 'k' ? qDim + c.row : qDim + kvDim + c.row));
      const colOwner = (c: number) => headOwner[(c < qDim ? c : (c - qDim) % kvDim) % l.headDim];
      return { block: inRect(r, (lx, ly) => ({ rows: span(pre.dX, k0(lx, ly)), cols: cols(lx) })), xByRow: false, xOf: (c: number) => r.x0 + colOwner(c), yOf: (x: number, i: number) => row(x, dOwner[i]) };
    }
    case 'o':
      return { block: inRect(r, (lx, ly) => ({ rows: attentionUnits(l, pre, k0(lx, ly)), cols: span(pre.dX, lx) })), xByRow: false, xOf: (d: number) => r.x0 + dOwner[d], yOf: (x: number, u: number) => row(x, headOwner[u % l.headDim]) };
    case 'gu':
      return { block: inRect(r, (lx, ly) => ({ rows: span(pre.dX, k0(lx, ly)), cols: [...span(pre.hX, lx), ...span(pre.hX, lx).map((h) => l.hidden + h)] })), xByRow: false, xOf: (c: number) => r.x0 + hOwner[c % l.hidden], yOf: (x: number, i: number) => row(x, dOwner[i]) };
    case 'down':
      return { block: inRect(r, (lx, ly) => ({ rows: span(pre.hX, k0(lx, ly)), cols: span(pre.dX, lx) })), xByRow: false, xOf: (d: number) => r.x0 + dOwner[d], yOf: (x: number, h: number) => row(x, hOwner[h]) };
  }
}

/** Moving weight `w` of a layer from the prefill layout to the decode layout, or back. */
export function weightMove(g: Grids, w: WeightName, toDecode: boolean): RelayoutMatrix {
  const [a, b] = toDecode ? [prefillSide(g, w), decodeSide(g, w)] : [decodeSide(g, w), prefillSide(g, w)];
  return { src: a.block, dst: b.block, xByRow: b.xByRow, xOf: b.xOf, yOf: b.yOf };
}

/**
 * A layer's keys (or values) of a prefill batch of `tokens` positions, from the prefill cores (tokens of row y ×
 * every kv head's dims headX(x), kv-head-major) into the decode cache (positions of row y × kv units kvX(x)).
 */
export function kvMove(g: Grids, tokens: number): RelayoutMatrix {
  const { dec: l, decRect: dr, pfl, pre, preRect: pr } = g;
  const tok = tokenSplit(tokens, pre.P);
  const kvOwner = owners(l.kvX);
  const starts: number[] = [];
  for (let y = 0, s = 0; y < l.rows; s += rowCount(tokens, l.rows, y), y++) starts.push(s);
  const posRow = new Int32Array(tokens);
  for (let y = 0; y < l.rows; y++) posRow.fill(y, starts[y], starts[y] + rowCount(tokens, l.rows, y));
  return {
    src: inRect(pr, (lx, ly) => ({ rows: span(tok, ly), cols: kvUnits(pfl, pre, lx) })),
    dst: inRect(dr, (lx, ly) => ({ rows: range(starts[ly], rowCount(tokens, l.rows, ly)), cols: span(l.kvX, lx) })),
    xByRow: false,
    xOf: (j) => dr.x0 + kvOwner[j],
    yOf: (_x, t) => dr.y0 + posRow[t],
  };
}

/** The prefill activation [tokens × D] of one prefill region moved to the same blocks of the next region. */
export function activationMove(pre: PrefillLayout, tokens: number, from: RegionRect, to: RegionRect): RelayoutMatrix {
  const tok = tokenSplit(tokens, pre.P);
  const dOwner = owners(pre.dX);
  const tOwner = owners(tok);
  const block = (r: RegionRect) => inRect(r, (lx, ly) => ({ rows: span(tok, ly), cols: span(pre.dX, lx) }));
  return { src: block(from), dst: block(to), xByRow: false, xOf: (d) => to.x0 + dOwner[d], yOf: (_x, t) => to.y0 + tOwner[t] };
}


/** Every relayout a prefill on its own grid makes, as the analytical model asks for them (@wafer/perf GridMoves). */
export function gridMoves(a: { dec: DecodeLayout; pfl: DecodeLayout; pre: PrefillLayout; decRects: RegionRect[]; preRects: RegionRect[] }) {
  const grids = (layer: number): Grids => ({ dec: a.dec, decRect: a.decRects[layer], pfl: a.pfl, pre: a.pre, preRect: a.preRects[layer] });
  return {
    handoff: (from: RegionRect, to: RegionRect, tokens: number) => [activationMove(a.pre, tokens, from, to)],
    kv: (layer: number, tokens: number) => [kvMove(grids(layer), tokens), kvMove(grids(layer), tokens)],
    weights: (layer: number, toDecode: boolean) => MOVED_WEIGHTS.map((w) => weightMove(grids(layer), w, toDecode)),
  };
}
