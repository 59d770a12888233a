// Allreduce along one line of P cores (a row or a column) under the fabric's timing rules, for the three
// strategies the kernels implement (packages/kernels/src/collectives/allreduce.ts): MeshGEMV's K-tree (K=2),
// the pipeline (chain to one end, multicast back) and the ring (ring-allreduce.ts). Every core starts at 0.

import { evenSplit, WaferError, type MachineSpec } from '@wafer/arch';
import { chainHeadCycles, linkCosts, nonNegativeInt, positiveInt, ser } from './link-timing.js';
import { ringAllreduceCycles } from './ring-allreduce.js';

export type AllreduceStrategy = 'ktree' | 'pipeline' | 'ring';

export const ALLREDUCE_STRATEGIES: readonly AllreduceStrategy[] = ['ktree', 'pipeline', 'ring'];

export interface AllreduceOptions {
  strategy?: AllreduceStrategy; // default 'ktree'
  groups?: number; // K-tree groups G (default round(√P))
}

/** Default K-tree group count for a line of P cores: round(√P), as the kernels choose it. */
export function defaultGroups(p: number): number {
  return Math.max(1, Math.round(Math.sqrt(p)));
}

/** The K-tree's groups: G runs of consecutive cores (sizes differ by ≤ 1, larger first) and each run's middle. */
export function ktreeGroups(p: number, groups: number): { start: number[]; size: number[]; root: number[] } {
  const size = evenSplit(p, Math.min(p, Math.max(1, groups)));
  const start: number[] = [];
  const root: number[] = [];
  let s = 0;
  for (const n of size) {
    start.push(s);
    root.push(s + Math.floor((n - 1) / 2));
    s += n;
  }
  return { start, size, root };
}

/** A group root after phase 1: its clock, its router-to-core link's free time, whether it streamed. */
interface RootState {
  t: number;
  ingressFree: number;
}

/**
 * K-tree allreduce of an n-vector on a line of P cores, critical path in cycles. Phase 1: each group's
 * members stream toward the group middle (the middle streams from its low side, then its high side);
 * phase 2: group roots stream toward the middle group's root, one relay per root, g hops per link;
 * phase 3: the global root multicasts toward position 0, then toward P−1.
 */
export function ktreeAllreduceCycles(spec: MachineSpec, p: number, n: number, groups = defaultGroups(p)): number {
  positiveInt(p, 'allreduce line length');
  nonNegativeInt(n, 'allreduce vector length');
  positiveInt(groups, 'K-tree groups');
  if (p === 1) return 0;
  const c = linkCosts(spec);
  const s = ser(spec, n);
  const { start, size, root } = ktreeGroups(p, groups);
  const G = root.length;
  const gm = Math.floor((G - 1) / 2);
  const R = root[gm];

  // Receives a stream whose head arrives at `head`: the core proceeds β after the head, its router-to-core
  // link stays busy for the whole vector.
  const stream = (st: RootState, head: number) => {
    const arrive = Math.max(head, st.ingressFree);
    st.ingressFree = arrive + s;
    st.t = Math.max(st.t, arrive + c.beta);
  };

  // Phase 1: chains of a (low side) and b (high side) members into each group's middle.
  const roots: RootState[] = root.map((r, k) => {
    const st: RootState = { t: 0, ingressFree: 0 };
    const a = r - start[k];
    const b = start[k] + size[k] - 1 - r;
    if (a >= 1) stream(st, chainHeadCycles(c, a));
    if (b >= 1) stream(st, chainHeadCycles(c, b));
    return st;
  });

  // Phase 2: roots below gm relay toward high, roots above gm toward low; each relay sends when its stream
  // has passed β (the first root of each side sends its phase-1 result directly).
  let headFromLow = 0;
  for (let k = 0; k < gm; k++) {
    if (k > 0) stream(roots[k], headFromLow);
    headFromLow = roots[k].t + c.alpha * (root[k + 1] - root[k]) + c.mu;
  }
  let headFromHigh = 0;
  for (let k = G - 1; k > gm; k--) {
    if (k < G - 1) stream(roots[k], headFromHigh);
    headFromHigh = roots[k].t + c.alpha * (root[k] - root[k - 1]) + c.mu;
  }
  const g = roots[gm];
  if (gm > 0) stream(g, headFromLow);
  if (gm < G - 1) stream(g, headFromHigh);

  // Phase 3: the two multicasts leave one after the other on the root's core-to-router link; the root is
  // busy until the first has left; each end receives the whole vector.
  let finish = g.t;
  let egressFree = 0;
  if (R > 0) {
    const startLow = Math.max(g.t, egressFree);
    egressFree = startLow + s;
    finish = Math.max(finish, startLow + s, startLow + c.alpha * R + c.mu + s);
  }
  if (R < p - 1) {
    const startHigh = Math.max(R > 0 ? g.t + s : g.t, egressFree);
    finish = Math.max(finish, startHigh + s, startHigh + c.alpha * (p - 1 - R) + c.mu + s);
  }
  return finish;
}

/**
 * Pipeline allreduce (the vendor GEMV's): a streaming chain from position 0 to P−1 (P−1 links of α + μ,
 * P−2 relays of β), the end's relay β, then a multicast back to 0: (P−1)(2α + β + μ) + μ + ser(n).
 */
export function pipelineAllreduceCycles(spec: MachineSpec, p: number, n: number): number {
  positiveInt(p, 'allreduce line length');
  nonNegativeInt(n, 'allreduce vector length');
  if (p === 1) return 0;
  const c = linkCosts(spec);
  const back = chainHeadCycles(c, p - 1) + c.beta;
  return back + c.alpha * (p - 1) + c.mu + ser(spec, n);
}

/** Allreduce of an n-vector along a line of P cores with the chosen strategy (default K-tree). */
export function allreduceCycles(spec: MachineSpec, p: number, n: number, opts: AllreduceOptions = {}): number {
  const strategy = opts.strategy ?? 'ktree';
  switch (strategy) {
    case 'ktree': return ktreeAllreduceCycles(spec, p, n, opts.groups ?? defaultGroups(p));
    case 'pipeline': return pipelineAllreduceCycles(spec, p, n);
    case 'ring': return ringAllreduceCycles(spec, p, n);
    default: throw new WaferError('USAGE', `perf: allreduce strategy must be ktree, pipeline or ring, got '${String(strategy)}'`);
  }
}

/** Allreduce of one scalar per core (RMSNorm sums, softmax max and sum). */
export function scalarAllreduceCycles(spec: MachineSpec, p: number, opts: AllreduceOptions = {}): number {
  return allreduceCycles(spec, p, 1, opts);
}
