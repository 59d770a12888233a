// Allreduce along one line of P cores (a row or a column) under the fabric's timing rules, for the three
// strategies the kernels implement (packages/kernels/src/collectives/allreduce.ts): MeshGEMV's K-tree (K=2),
// the pipeline (chain to one end, multicast back) and the ring (ring-allreduce.ts). Every core starts at 0.

import { defaultGroups, ktreeGroups, WaferError, type MachineSpec } from '@wafer/arch';
import { chainHeadCycles, linkCosts, nonNegativeInt, positiveInt, ser } from './link-timing.js';
import { ringAllreduceCycles } from './ring-allreduce.js';

export type AllreduceStrategy = 'ktree' | 'pipeline' | 'ring';

export const ALLREDUCE_STRATEGIES: readonly AllreduceStrategy[] = ['ktree', 'pipeline', 'ring'];

export interface AllreduceOptions {
  strategy?: AllreduceStrategy; // default 'ktree'
  groups?: number; // K-tree groups G (default round(√P))
}

export { defaultGroups, ktreeGroups } from '@wafer/arch';

/** A core's modeled state during the collective: its clock and its router-to-core link's free time. */
interface CoreState {
  t: number;
  ingressFree: number;
  streamed: boolean; // the next send is a streamed output
}

/**
 * K-tree allreduce of an n-vector on a line of P cores, critical path in cycles. Phase 1: each group's
 * members stream toward the group middle (the middle streams from its low side, then its high side);
 * phase 2: group roots stream toward the middle group's root, one relay per root, g hops per link;
 * phase 3: the global root multicasts toward position 0, then toward P−1, and every core takes its copy
 * once its router-to-core link is free. Each route carries one message, so flow control never stalls it.
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
  const cores: CoreState[] = Array.from({ length: p }, () => ({ t: 0, ingressFree: 0, streamed: false }));

  // A streaming receive: the core proceeds β after the head; its router-to-core link stays busy for ser(n).
  const stream = (st: CoreState, head: number) => {
    const arrive = Math.max(head, st.ingressFree);
    st.ingressFree = arrive + s;
    st.t = Math.max(st.t, arrive + c.beta);
    st.streamed = true;
  };
  // A send at the core's clock (its link is free: every core sends at most once before phase 3). After a
  // streaming receive it is the streamed output, which keeps the core busy until its last value has left.
  const relaySend = (st: CoreState) => {
    const sent = st.t;
    if (st.streamed) st.t = sent + s;
    st.streamed = false;
    return sent;
  };

  // Phase 1: inside group k, members j hops from the group's end relay toward its middle.
  for (let k = 0; k < G; k++) {
    const first = start[k];
    const last = start[k] + size[k] - 1;
    for (let q = first; q <= last; q++) {
      if (q === root[k]) continue;
      const j = q < root[k] ? q - first : last - q;
      if (j > 0) {
        stream(cores[q], chainHeadCycles(c, j));
        relaySend(cores[q]);
      }
    }
    const r = cores[root[k]];
    if (root[k] > first) stream(r, chainHeadCycles(c, root[k] - first));
    if (root[k] < last) stream(r, chainHeadCycles(c, last - root[k]));
  }

  // Phase 2: roots below gm relay toward high, roots above gm toward low, g hops per link.
  let headFromLow = 0;
  for (let k = 0; k < gm; k++) {
    const r = cores[root[k]];
    if (k > 0) stream(r, headFromLow);
    headFromLow = relaySend(r) + c.alpha * (root[k + 1] - root[k]) + c.mu;
  }
  let headFromHigh = 0;
  for (let k = G - 1; k > gm; k--) {
    const r = cores[root[k]];
    if (k < G - 1) stream(r, headFromHigh);
    headFromHigh = relaySend(r) + c.alpha * (root[k] - root[k - 1]) + c.mu;
  }
  const g = cores[R];
  if (gm > 0) stream(g, headFromLow);
  if (gm < G - 1) stream(g, headFromHigh);

  // Phase 3: the two multicasts leave one after the other on the root's core-to-router link.
  const startLow = g.t;
  const startHigh = R > 0 ? startLow + s : startLow;
  if (g.streamed) g.t = startLow + s;
  let finish = g.t;
  for (let q = 0; q < p; q++) {
    if (q === R) continue;
    const head = q < R ? startLow + c.alpha * (R - q) + c.mu : startHigh + c.alpha * (q - R) + c.mu;
    const st = cores[q];
    finish = Math.max(finish, st.t, Math.max(head, st.ingressFree) + s);
  }
  return finish;
}

/**
 * Pipeline allreduce (the vendor GEMV's): a streaming chain from position 0 to P−1 (P−1 links of α + μ,
 * P−2 relays of β), the end's relay β, then a multicast back: ≈ (P−1)(2α + β + μ) + μ + ser(n). A relay
 * near the end takes the multicast only after its own stream has left its router-to-core link.
 */
export function pipelineAllreduceCycles(spec: MachineSpec, p: number, n: number): number {
  positiveInt(p, 'allreduce line length');
  nonNegativeInt(n, 'allreduce vector length');
  if (p === 1) return 0;
  const c = linkCosts(spec);
  const s = ser(spec, n);
  const back = chainHeadCycles(c, p - 1) + c.beta; // the end core's multicast leaves
  let finish = back + s;
  for (let q = 0; q < p - 1; q++) {
    const ingressFree = q === 0 ? 0 : chainHeadCycles(c, q) + s;
    finish = Math.max(finish, Math.max(back + c.alpha * (p - 1 - q) + c.mu, ingressFree) + s);
  }
  return finish;
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
