// Allreduce along one line of the mesh (a row or a column), three ways: MeshGEMV's K-tree (K = 2), the
// pipeline (chain to one end, then broadcast back), and the ring (reduce-scatter + all-gather on the
// interleaved ring). Every core of the line passes its vector and gets the reduced vector back.
// Reduction order is fixed by the algorithm, never by arrival, so results are bit-identical at any thread count.

import { defaultGroups, evenSplit, ktreeGroups, type Core, type RecvRequest } from '@wafer/arch';
import { lineRoute, type Line } from '../line.js';
import { interleavedRing } from '../ring.js';
import { ringRecv, ringRecvColor, ringSend, RING_COLORS } from '../ring-shift.js';
import { combine, type ReduceOp } from './reduce-op.js';

export type AllreduceStrategy = 'ktree' | 'pipeline' | 'ring';

export interface AllreduceOptions {
  strategy: AllreduceStrategy;
  /** Default 'sum'. */
  op?: ReduceOp;
  /** First route colour this collective may use (it uses ALLREDUCE_COLORS). */
  colors: number;
  /** K-tree groups G (default round(√P)). */
  groups?: number;
}

/** Colours any strategy uses at most. */
export const ALLREDUCE_COLORS = 6;

type Gen = Generator<RecvRequest, Float32Array, Float32Array>;

/**
 * Reduces `mine` with every other core's vector on the line and returns the result. The collective takes
 * `mine`: it accumulates into it, as a core adds what arrives into its own buffer on the chip, and a core that
 * passes its partial on gives the vector to its neighbour (`core.give`, no copy). So pass a fresh vector or a
 * copy, never a placed or `alloc`ed buffer, and do not use `mine` after the call. A plain function returning the
 * strategy's generator, for the core to run with `yield allreduce(...)`.
 */
export function allreduce(core: Core, line: Line, mine: Float32Array, opts: AllreduceOptions): Gen {
  if (line.length === 1) return alone(mine);
  switch (opts.strategy) {
    case 'ktree': return ktreeAllreduce(core, line, mine, opts);
    case 'pipeline': return pipelineAllreduce(core, line, mine, opts);
    case 'ring': return ringAllreduce(core, line, mine, opts);
  }
}

function* alone(mine: Float32Array): Gen {
  return mine;
}

/**
 * K-tree allreduce (K = 2). Phase 1: inside each group, partials stream toward the group's middle core
 * (cores before it send toward high, cores after it toward low). Phase 2: group roots stream-reduce toward
 * the middle group's root over routes that pass other routers (α per hop, one relay per root). Phase 3:
 * the global root multicasts the result along the line. About √P relays instead of P. `acc` is the
 * caller's vector, which partials are added into; a core that passes it on gives it up (see allreduce).
 * (Few locals on purpose: a generator keeps every local in a heap frame of its own, allocated per call, and
 * every core calls this about ten times per layer.)
 */
function* ktreeAllreduce(core: Core, line: Line, acc: Float32Array, opts: AllreduceOptions): Gen {
  const p = line.pos;
  const t = ktreePlace(line.length, opts.groups ?? defaultGroups(line.length), p);
  const c = opts.colors; // c + UP1 .. c + DOWN3: "up" travels toward high positions

  // Phase 1: stream toward the group middle.
  if (p !== t.mid) {
    const toHigh = p < t.mid;
    const color = c + (toHigh ? UP1 : DOWN1);
    const hasUpstream = toHigh ? p > t.first : p < t.last;
    if (hasUpstream) combine(opts.op, acc, yield core.stream(color));
    core.give(lineRoute(line, color, p, toHigh ? p + 1 : p - 1), acc); // passed on, never read here again
    return yield core.recv(c + (p < t.R ? DOWN3 : UP3));
  }
  if (t.mid > t.first) combine(opts.op, acc, yield core.stream(c + UP1));
  if (t.mid < t.last) combine(opts.op, acc, yield core.stream(c + DOWN1));

  // Phase 2: group roots stream toward the global root, one relay per root.
  if (t.g !== t.gm) {
    const toHigh = t.g < t.gm;
    const color = c + (toHigh ? UP2 : DOWN2);
    const hasUpstream = toHigh ? t.g > 0 : t.g < t.G - 1;
    if (hasUpstream) combine(opts.op, acc, yield core.stream(color));
    core.give(lineRoute(line, color, p, toHigh ? t.rootAfter : t.rootBefore), acc);
    return yield core.recv(c + (p < t.R ? DOWN3 : UP3));
  }
  if (t.gm > 0) combine(opts.op, acc, yield core.stream(c + UP2));
  if (t.gm < t.G - 1) combine(opts.op, acc, yield core.stream(c + DOWN2));

  // Phase 3: the global root multicasts the result both ways along the line.
  if (p > 0) core.send(lineRoute(line, c + DOWN3, p, 0, true), acc);
  if (p < line.length - 1) core.send(lineRoute(line, c + UP3, p, line.length - 1, true), acc);
  return acc;
}

// The K-tree's colours, as offsets from the collective's first: per phase, one toward high positions and one toward low.
const UP1 = 0;
const DOWN1 = 1;
const UP2 = 2;
const DOWN2 = 3;
const UP3 = 4;
const DOWN3 = 5;

/** Where position p sits in the K-tree of a line of P cores in G groups. */
interface KtreePlace {
  g: number; // its group
  G: number; // number of groups
  mid: number; // its group's middle (the group root)
  first: number; // its group's first and last positions
  last: number;
  gm: number; // the middle group, whose root is the global root R
  R: number;
  rootBefore: number; // roots of the neighbouring groups (-1 at the ends)
  rootAfter: number;
}

const placeCache = new Map<number, KtreePlace>();

/** ktreeGroups seen from one position (memoised: every core asks once per allreduce). */
function ktreePlace(P: number, groups: number, p: number): KtreePlace {
  const key = (P * 2048 + groups) * 2048 + p;
  let place = placeCache.get(key);
  if (place === undefined) {
    const { start, size, root } = ktreeGroups(P, groups);
    const G = root.length;
    const g = groupOf(start, p);
    const gm = Math.floor((G - 1) / 2);
    place = { g, G, mid: root[g], first: start[g], last: start[g] + size[g] - 1, gm, R: root[gm], rootBefore: g > 0 ? root[g - 1] : -1, rootAfter: g + 1 < G ? root[g + 1] : -1 };
    placeCache.set(key, place);
  }
  return place;
}

function groupOf(start: number[], p: number): number {
  let g = 0;
  while (g + 1 < start.length && start[g + 1] <= p) g++;
  return g;
}

/** Pipeline allreduce (the vendor GEMV's): a streaming chain to the high end, then a multicast back. */
function* pipelineAllreduce(core: Core, line: Line, acc: Float32Array, opts: AllreduceOptions): Gen {
  const p = line.pos;
  const P = line.length;
  const chain = opts.colors;
  const back = opts.colors + 1;
  if (p > 0) combine(opts.op, acc, yield core.stream(chain));
  if (p < P - 1) {
    core.give(lineRoute(line, chain, p, p + 1), acc);
    return yield core.recv(back);
  }
  core.send(lineRoute(line, back, p, 0, true), acc);
  return acc;
}

/**
 * Ring allreduce on the interleaved ring: P−1 reduce-scatter steps (send a chunk on, add the one that
 * arrives) and P−1 all-gather steps, each a streaming relay of n/P values over ≤ 2 hops.
 */
function* ringAllreduce(core: Core, line: Line, acc: Float32Array, opts: AllreduceOptions): Gen {
  const P = line.length;
  const ring = interleavedRing(P);
  const l = ring.logical(line.pos);
  const sizes = evenSplit(acc.length, P);
  const offs: number[] = [];
  sizes.reduce((o, n) => (offs.push(o), o + n), 0);
  const chunk = (c: number) => acc.subarray(offs[c], offs[c] + sizes[c]);
  const colors = opts.colors; // RING_COLORS of them
  for (let s = 0; s < P - 1; s++) {
    ringSend(core, line, ring, chunk((l - s + P) % P), colors);
    const got = yield core.stream(ringRecvColor(line, ring, colors));
    combine(opts.op, chunk((l - s - 1 + 2 * P) % P), got);
  }
  for (let s = 0; s < P - 1; s++) {
    ringSend(core, line, ring, chunk((l + 1 - s + P) % P), colors);
    const lastStep = s === P - 2;
    const got = lastStep ? yield ringRecv(core, line, ring, colors) : yield core.stream(ringRecvColor(line, ring, colors));
    chunk((l - s + P) % P).set(got);
  }
  return acc;
}

export { RING_COLORS, defaultGroups, ktreeGroups };
