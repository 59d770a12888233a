// Relayout: moves matrices held as index blocks (core (x, y) holds rows R × columns C of a logical matrix, row
// major) into another blocking, possibly on other cores, over the mesh. Every element travels along its row to
// its destination column, then along that column to its destination row (X then Y, as the routers would).
// Each stage is a bundle chain per direction: a core sends one bundle holding its pieces for every core ahead,
// and each core keeps the first piece of every bundle that reaches it and forwards the rest, so each link
// carries one bundle per source and no two flows share a colour on a link. Both ends derive every piece's size
// from the layouts, so empty bundles are never sent and nothing is ever received out of order.

import { elementwiseCost, pieceSize as size, RelayoutPlan, route, stage1Sizes, stage2Sizes, E, N, S, W, type Core, type Direction, type IndexBlock, type LineSizes, type Piece, type CoreStep, type RelayoutMatrix } from '@wafer/arch';

export type { IndexBlock, RelayoutMatrix };

type Gen<T = void> = Generator<CoreStep, T, Float32Array>;

/** Colours a relayout uses: stage 1 east and west, stage 2 south and north. */
export const RELAYOUT_COLORS = 4;

/** Per-run plans, shared by the cores of one thread (they get the same args object), one per tag. */
const plans = new WeakMap<object, Map<string, RelayoutPlan>>();
function planOf(key: object, tag: string, make: () => RelayoutPlan): RelayoutPlan {
  let m = plans.get(key);
  if (m === undefined) plans.set(key, (m = new Map()));
  let p = m.get(tag);
  if (p === undefined) m.set(tag, (p = make()));
  return p;
}

/**
 * This core's part of moving `mats`: matrix k's block is read from buffer `from[k]` (when this core holds one;
 * freed once sent) and its destination block is allocated as `to[k]` (when this core gets one). While the
 * elements are between the stages a core holds them in 'rl.held'. `cacheKey` is an object shared by every
 * core of the run (the program's arguments): layouts and piece sizes are computed once per thread under it,
 * separately for each `tag` (one per relayout of the run).
 */
export function* relayout(core: Core, mats: RelayoutMatrix[], from: string[], to: string[], colors: number, cacheKey: object, tag = ''): Gen {
  const { x, y, rows: R, cols: C } = core;
  const plan = planOf(cacheKey, tag, () => new RelayoutPlan(mats, R, C));
  const K = mats.length;
  // Stage 1, along row y: this core's elements for each destination column.
  const mine = Array.from({ length: K }, (_, k) => plan.block(k, x, y));
  const source = mine.map((b, k) => (b === null ? new Float32Array(0) : core.buffer(from[k])));
  const cut1 = (xd: number): Float32Array[] => mine.map((b, k) => extract(source[k], b, plan.piece1(k, x, y, xd)));
  const sizes1 = stage1Sizes(plan, y);
  const got = new Map<number, Float32Array[]>([[x, cut1(x)]]); // source column → its pieces for this column, per matrix
  yield chain(core, x, sizes1, cut1, (xs, data) => got.set(xs, split(data, mats.map((_m, k) => size(plan.piece1(k, xs, y, x))))), colors, E, W);
  mine.forEach((b, k) => {
    if (b !== null) core.free(from[k]);
  });
  const held = stage1Pieces(K, C, (k, xs) => plan.piece1(k, xs, y, x), got);
  core.alloc('rl.held', held.total);
  // Stage 2, along column x: each held element to its destination row.
  const dst = mats.map((m) => m.dst(x, y));
  const out = dst.map((b, k) => (b === null ? new Float32Array(0) : core.alloc(to[k], b.rows.length * b.cols.length)));
  const place = (ys: number, data: Float32Array) => {
    let o = 0;
    for (let k = 0; k < K; k++) {
      for (let xs = 0; xs < C; xs++) {
        const p = plan.piece2(k, xs, ys, x, y);
        o += scatter(out[k], dst[k], p, data.subarray(o, o + size(p)));
      }
    }
  };
  const cut2 = (yd: number): Float32Array[] => [concat(held.list.map(({ k, xs, piece, data }) => extract(data, piece, plan.piece2(k, xs, y, x, yd))))];
  const sizes2 = stage2Sizes(plan, x);
  place(y, cut2(y)[0]);
  yield chain(core, y, sizes2, cut2, place, colors + 2, S, N);
  core.free('rl.held');
  const stored = out.reduce((a, b) => a + b.length, 0);
  if (stored > 0) core.compute(elementwiseCost(stored));
}

/**
 * Both bundle chains along one line, this core at `me`: a bundle from source s holds, for each destination ahead
 * of it (nearest first), that destination's piece. `cut(d)` is this core's own piece for d (one part per matrix);
 * `take(s, data)` stores the piece that arrived from source s.
 */
function* chain(core: Core, me: number, z: LineSizes, cut: (d: number) => Float32Array[], take: (s: number, data: Float32Array) => void, color: number, high: Direction, low: Direction): Gen {
  const { n } = z;
  const left = (s: number, d: number, up: boolean) => (up ? z.fromUp[s][d] : d >= 0 ? z.fromDown[s][d] : 0);
  for (const up of [true, false]) {
    const first = up ? me + 1 : me - 1;
    if (first < 0 || first >= n || left(me, first, up) === 0) continue;
    const parts: Float32Array[] = [];
    for (let d = first; up ? d < n : d >= 0; d += up ? 1 : -1) parts.push(...cut(d));
    const bundle = concat(parts);
    core.compute(elementwiseCost(bundle.length)); // non-empty: left(me, first) > 0
    core.send(route(color + (up ? 0 : 1), up ? high : low, 1), bundle);
  }
  for (let s = 1; s < n; s++) {
    for (const up of [true, false]) {
      const src = up ? me - s : me + s;
      if (src < 0 || src >= n || left(src, me, up) === 0) continue;
      const got = yield core.recv(color + (up ? 0 : 1));
      const keep = z.piece[src][me];
      take(src, got.subarray(0, keep));
      if (got.length > keep) core.send(route(color + (up ? 0 : 1), up ? high : low, 1), got.subarray(keep));
    }
  }
}

/** Pieces this core holds after stage 1, with their data, in (matrix, source column) order. */
function stage1Pieces(K: number, C: number, pieceFrom: (k: number, xs: number) => Piece, got: Map<number, Float32Array[]>) {
  const list: { k: number; xs: number; piece: Piece; data: Float32Array }[] = [];
  let total = 0;
  for (let k = 0; k < K; k++) {
    for (let xs = 0; xs < C; xs++) {
      const piece = pieceFrom(k, xs);
      if (size(piece) === 0) continue;
      const data = got.get(xs)![k];
      list.push({ k, xs, piece, data });
      total += data.length;
    }
  }
  return { list, total };
}

/** Elements of sub-piece `sub` (rows × cols) from `data`, laid out as block `from`'s rows × cols. */
function extract(data: Float32Array, from: IndexBlock | Piece | null, sub: Piece): Float32Array {
  const out = new Float32Array(size(sub));
  if (out.length === 0 || from === null) return out;
  const at = offsets(from, sub);
  for (let i = 0; i < at.length; i++) out[i] = data[at[i]];
  return out;
}

/** Writes piece `p`'s data into the row-major destination block `into` of `b`; returns the values used. */
function scatter(into: Float32Array, b: IndexBlock | null, p: Piece, data: Float32Array): number {
  if (size(p) === 0 || b === null) return size(p);
  const at = offsets(b, p);
  for (let i = 0; i < at.length; i++) into[at[i]] = data[i];
  return at.length;
}

/**
 * Where each element of `sub` (row-major) sits in the row-major block `of`. Cached per pair: the plan's blocks
 * and pieces are the same objects every step and every core of the thread asks for.
 */
const offsetCache = new WeakMap<object, WeakMap<object, Int32Array>>();
function offsets(of: IndexBlock | Piece, sub: Piece): Int32Array {
  let bySub = offsetCache.get(of);
  if (bySub === undefined) offsetCache.set(of, (bySub = new WeakMap()));
  let at = bySub.get(sub);
  if (at === undefined) {
    const ri = positions(of.rows);
    const ci = positions(of.cols);
    const w = of.cols.length;
    at = new Int32Array(size(sub));
    let o = 0;
    for (const r of sub.rows) {
      const base = ri.get(r)! * w;
      for (const c of sub.cols) at[o++] = base + ci.get(c)!;
    }
    bySub.set(sub, at);
  }
  return at;
}

const positionCache = new WeakMap<object, Map<number, number>>();
function positions(list: ArrayLike<number>): Map<number, number> {
  let m = positionCache.get(list as object);
  if (m === undefined) {
    m = new Map();
    for (let i = 0; i < list.length; i++) m.set(list[i], i);
    positionCache.set(list as object, m);
  }
  return m;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function split(data: Float32Array, sizes: number[]): Float32Array[] {
  let o = 0;
  return sizes.map((n) => data.subarray(o, (o += n)));
}
