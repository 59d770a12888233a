// The phase change from prefill to decode, for one layer: after prefill, core (x, y) holds the keys and values
// of its row's tokens for its per-head dims (every kv head's dims headX(x)); the decode layout wants kv units
// j = g·headDim + i split in pairs along X (kvX), positions along Y exactly where prefill left them. So only
// columns move: every core's K/V pieces travel along its row's interleaved ring (≤ 2 hops per step), each
// core keeping the piece it owns and forwarding the rest, and land in the shift-based cache buffers
// (L<l>.kv.k/.v/.p/.n) as kv-cache.ts lays them out, so the decode program continues at position T'.

import { elementwiseCost, type Core, type RecvRequest } from '@wafer/arch';
import { interleavedRing, lineOf, ringRecv, ringSend } from '@wafer/kernels';
import { kvSlice, type KvSlice } from './kv-cache.js';
import type { DecodeLayout } from './layout.js';
import { kvUnits, type PrefillLayout } from './prefill-layout.js';

type Gen<T = void> = Generator<RecvRequest, T, Float32Array>;

export interface PhaseChangeArgs {
  layout: DecodeLayout;
  pre: PrefillLayout;
  layer: number;
  tokens: number; // T': entries the cache holds afterwards
  m: number; // tokens of this core's row
  pos0: number; // position of the row's first token
  /** Row-major [m × stride] block holding this core's keys at columns kCol0.. and values right after. */
  kv: Float32Array;
  stride: number;
  kCol0: number;
  /** Colours of the X ring's forward flows (MeshGEMM's: reusing them adds no route-table entries). */
  colors: number;
}

/** The units of prefill column src that decode column dst owns: src's local kv columns and dst's cache columns. */
interface Piece {
  from: number[];
  to: number[];
}

function piece(l: DecodeLayout, pre: PrefillLayout, src: number, dst: number): Piece {
  const lo = l.kvX.offsets[dst];
  const hi = lo + l.kvX.sizes[dst];
  const from: number[] = [];
  const to: number[] = [];
  kvUnits(l, pre, src).forEach((u, c) => {
    if (u >= lo && u < hi) {
      from.push(c);
      to.push(u - lo);
    }
  });
  return { from, to };
}

/** Moves this core's keys and values of one layer into the decode cache of the cores that own them. */
export function* phaseChange(core: Core, a: PhaseChangeArgs): Gen {
  const { layout: l, pre, m } = a;
  const P = pre.P;
  const ring = interleavedRing(P);
  const line = lineOf(core, 'x');
  const me = core.x;
  const lme = ring.logical(me);
  const vCol0 = a.kCol0 + l.nKvHeads * pre.headX.sizes[me];
  const dstAt = (src: number, delta: number) => ring.phys((ring.logical(src) + delta) % P);
  // Values of src's pieces for the cores delta = first..P-1 ring steps ahead: [K m×n | V m×n] per piece.
  const bundleSize = (src: number, first: number) => {
    let n = 0;
    for (let delta = first; delta < P; delta++) n += 2 * m * piece(l, pre, src, dstAt(src, delta)).from.length;
    return n;
  };
  const cache = kvSlice(core, a.layer, l.kvCapacity, l.kvX.sizes[me], a.tokens);

  // Step 0: my own bundle leaves for the cores ahead; the piece I own myself goes straight to my cache.
  if (P > 1 && bundleSize(me, 1) > 0) {
    const out = new Float32Array(bundleSize(me, 1));
    let o = 0;
    for (let delta = 1; delta < P; delta++) {
      const { from } = piece(l, pre, me, dstAt(me, delta));
      for (const col0 of [a.kCol0, vCol0]) {
        for (let i = 0; i < m; i++) for (const c of from) out[o++] = a.kv[i * a.stride + col0 + c];
      }
    }
    core.compute(elementwiseCost(out.length));
    ringSend(core, line, ring, out, a.colors);
  }
  const own = piece(l, pre, me, me);
  const local = new Float32Array(2 * m * own.from.length);
  let o = 0;
  for (const col0 of [a.kCol0, vCol0]) {
    for (let i = 0; i < m; i++) for (const c of own.from) local[o++] = a.kv[i * a.stride + col0 + c];
  }
  store(core, cache, l.kvX.sizes[me], own.to, local, m);

  // Steps 1..P-1: the bundle of the core s steps behind arrives; keep its first piece, pass the rest on.
  for (let s = 1; s < P; s++) {
    const src = ring.phys((lme - s + P) % P);
    if (bundleSize(src, s) === 0) continue; // both ends know it is empty: nothing is sent
    const got = yield ringRecv(core, line, ring, a.colors);
    const mine = piece(l, pre, src, me);
    const keep = 2 * m * mine.to.length;
    store(core, cache, l.kvX.sizes[me], mine.to, got.subarray(0, keep), m);
    if (got.length > keep) ringSend(core, line, ring, got.subarray(keep), a.colors);
  }
  for (let i = 0; i < m; i++) cache.positions[i] = a.pos0 + i;
  cache.countCell[0] = m; // as kvAppend leaves it, for inspection
}

/** Writes a piece [K m×n | V m×n] into columns `to` of entries 0..m-1 of a cache slice of b units per entry. */
function store(core: Core, cache: KvSlice, b: number, to: number[], data: Float32Array, m: number): void {
  const n = to.length;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      cache.keys[i * b + to[j]] = data[i * n + j];
      cache.values[i * b + to[j]] = data[m * n + i * n + j];
    }
  }
  core.compute(elementwiseCost(2 * m * n));
}
