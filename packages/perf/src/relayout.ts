// Modeled cycles of a relayout (packages/kernels/src/collectives/relayout.ts): both bundle chains along every
// row (stage 1), then along every column (stage 2), followed message by message under the fabric's rules: each
// core's one core-to-router and one router-to-core link, one message at a time per route (credit back), the
// packing of its own bundles and the final store of its destination blocks. The piece sizes come from arch's
// relayout plan, the same the kernel uses, so model and emulator move the same bundles.

import { countLineSizes, type LineSizes, type MachineSpec, type MeshShape, type RelayoutMatrix } from '@wafer/arch';
import { elementwiseCycles } from './elementwise.js';
import { linkCosts, ser } from './link-timing.js';

export interface RelayoutTiming {
  totalCycles: number;
  /** The largest core clock after stage 1 (along rows) of the last relayout. */
  stage1Cycles: number;
  /** Values in the largest bundle any link carried. */
  largestBundleValues: number;
  /** Lines followed per stage (every one, or an even sample of a large mesh). */
  sampledRows: number;
  sampledCols: number;
}

/** Per-core link and clock state, shared by both stages (a core's links carry both). */
class Cores {
  readonly t: Float64Array;
  readonly egress: Float64Array;
  readonly ingress: Float64Array;
  readonly taken: Float64Array; // [core·4 + colour]: when the core took the last message of that route
  largest = 0;
  constructor(n: number) {
    this.t = new Float64Array(n);
    this.egress = new Float64Array(n);
    this.ingress = new Float64Array(n);
    this.taken = new Float64Array(n * 4);
  }
}

interface Msg {
  start: number;
  n: number;
}

/**
 * Both chains of one line, as relayout's chain() runs them: every core packs and sends its own bundles (up, then
 * down), then for s = 1.. takes the bundle of the source s behind on each side, keeps its piece and forwards the
 * rest. `at` maps a line position to a core index; `color` is the stage's first colour (0 or 2).
 */
function followLine(spec: MachineSpec, st: Cores, z: LineSizes, at: (p: number) => number, color: number): void {
  const { n } = z;
  const c = linkCosts(spec);
  const left = (s: number, d: number, up: boolean) => (up ? z.fromUp[s][d] : d >= 0 ? z.fromDown[s][d] : 0);
  const send = (core: number, values: number): Msg => {
    const start = Math.max(st.t[core], st.egress[core]);
    st.egress[core] = start + ser(spec, values);
    return { start, n: values };
  };
  let flight: (Msg | null)[][] = [new Array(n).fill(null), new Array(n).fill(null)];
  for (let me = 0; me < n; me++) {
    const core = at(me);
    for (const [dir, up] of [[0, true], [1, false]] as const) {
      const first = up ? me + 1 : me - 1;
      if (first < 0 || first >= n || left(me, first, up) === 0) continue;
      const values = left(me, first, up);
      st.t[core] += elementwiseCycles(spec, values);
      flight[dir][me] = send(core, values);
    }
  }
  for (let s = 1; s < n; s++) {
    const next: (Msg | null)[][] = [new Array(n).fill(null), new Array(n).fill(null)];
    for (let me = 0; me < n; me++) {
      const core = at(me);
      for (const [dir, up] of [[0, true], [1, false]] as const) {
        const src = up ? me - s : me + s;
        if (src < 0 || src >= n || left(src, me, up) === 0) continue;
        const msg = flight[dir][up ? me - 1 : me + 1]!;
        const route = core * 4 + color + dir;
        const start = Math.max(msg.start, st.taken[route] + c.alpha);
        const arrive = Math.max(start + c.alpha + c.mu, st.ingress[core]);
        st.ingress[core] = arrive + ser(spec, msg.n);
        st.t[core] = Math.max(st.t[core], arrive + ser(spec, msg.n));
        st.taken[route] = st.t[core];
        st.largest = Math.max(st.largest, msg.n);
        const keep = z.piece[src][me];
        if (msg.n > keep) next[dir][me] = send(core, msg.n - keep);
      }
    }
    flight = next;
  }
}

/** Up to `max` evenly spaced positions of 0..n-1 (all of them when n ≤ max). */
function sample(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: max }, (_, i) => Math.round((i * (n - 1)) / (max - 1)));
}

/** One relayout of a sequence: its matrices and what each receiving core computes after storing its blocks. */
export interface RelayoutStep {
  mats: RelayoutMatrix[];
  /** Extra cycles on a core after the relayout, from the values it received (e.g. copying keys into a cache). */
  after?: (storedValues: number) => number;
}

/**
 * Modeled cycles of the relayouts `steps`, one after another in one run as the kernel's cores do them (a core
 * starts the next as soon as its part of the previous is done). Meshes wider than `maxLines` follow an even
 * sample of rows and of columns; a sampled column's cores then start stage 2 when the slowest sampled row
 * finished stage 1.
 */
export function relayoutCycles(spec: MachineSpec, mesh: MeshShape, steps: RelayoutStep[], maxLines = 64): RelayoutTiming {
  const { rows: R, cols: C } = mesh;
  const st = new Cores(R * C);
  const rows = sample(R, maxLines);
  const cols = sample(C, maxLines);
  const exact = rows.length === R && cols.length === C;
  let stage1 = 0;
  for (const step of steps) {
    const sizes = countLineSizes(step.mats, R, C, rows, cols);
    let slowest = 0;
    for (const y of rows) {
      followLine(spec, st, sizes.stage1.get(y)!, (p) => y * C + p, 0);
      for (let x = 0; x < C; x++) slowest = Math.max(slowest, st.t[y * C + x]);
    }
    stage1 = Math.max(stage1, slowest);
    for (const x of cols) {
      if (!exact) for (let y = 0; y < R; y++) st.t[y * C + x] = Math.max(st.t[y * C + x], slowest);
      followLine(spec, st, sizes.stage2.get(x)!, (p) => p * C + x, 2);
      for (let y = 0; y < R; y++) {
        let stored = 0;
        for (const m of step.mats) {
          const b = m.dst(x, y);
          if (b !== null) stored += b.rows.length * b.cols.length;
        }
        if (stored > 0) st.t[y * C + x] += elementwiseCycles(spec, stored) + (step.after?.(stored) ?? 0);
      }
    }
  }
  let total = 0;
  for (const x of cols) for (let y = 0; y < R; y++) total = Math.max(total, st.t[y * C + x]);
  return { totalCycles: Math.max(total, stage1), stage1Cycles: stage1, largestBundleValues: st.largest, sampledRows: rows.length, sampledCols: cols.length };
}
