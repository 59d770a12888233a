// The per-phase profile of a group of runs (a prefill, the decode steps, a kernel): the critical path's cycles
// per phase and kind, per-core busy statistics per phase, and the category totals WaferLLM's profiler prints.

import { CYCLE_KIND_COUNT, CYCLE_KINDS, KIND_WAIT, KV_PHASES, phaseName, type CycleKind } from '@wafer/arch';
import type { RunReport } from '@wafer/fabric';

const K = CYCLE_KIND_COUNT;

/** Distribution of per-core busy cycles (every kind but waiting) in one phase, over every core of the mesh. */
export interface BusyStats {
  mean: number;
  min: number;
  max: number;
  p95: number;
  /** max / mean (1 when perfectly balanced; 0 when no core was busy). */
  imbalance: number;
}

export interface PhaseRow {
  phase: string;
  /** Cycles of this phase on the critical path (see docs/fabric.md, "Profiles"). */
  cycles: number;
  /** cycles / the group's modeled cycles. */
  share: number;
  /** The critical path's cycles of this phase by kind. */
  kinds: Record<CycleKind, number>;
  /** Per-core busy cycles in this phase, over the group's runs. */
  busy: BusyStats;
  /** Mean per-core cycles spent waiting for messages in this phase. */
  waitMean: number;
}

/** The critical path's cycles by category; they add up to the group's modeled cycles. */
export interface CategoryTotals {
  compute: number;
  elementwise: number;
  communication: number; // relays and waits
  kvCache: number; // every cycle of the KV phases (kv-shift, phase-change)
  overhead: number; // fixed per-step cost
}

export interface PhaseProfileResult {
  group: string;
  runs: number;
  /** Σ of the runs' modeled cycles (each the largest core clock of its run). */
  modeledCycles: number;
  /** The critical core of each run, as 'core(x,y)', with how many runs it was critical in (most first). */
  criticalCores: { core: string; runs: number }[];
  phases: PhaseRow[];
  categories: CategoryTotals;
}

/** Accumulates the runs of one group (every report must carry `phases` and `counters.phaseCycles`). */
export class PhaseProfile {
  private runs = 0;
  private modeled = 0;
  private stride = 0;
  private critical = new Float64Array(0); // [stride × K]
  private perCore = new Float64Array(0); // [cores × stride × K]
  private readonly criticalCores = new Map<number, number>();

  constructor(readonly group: string, private readonly cols: number, private readonly cores: number) {}

  /** Adds one run. */
  add(report: RunReport): void {
    const ph = report.phases;
    const c = report.counters;
    if (ph === undefined || c?.phaseCycles === undefined) throw new Error('a run without phases: start the fabric with observe.phases');
    this.widen(Math.max(ph.stride, c.phaseStride!));
    const S = this.stride;
    for (let p = 0; p < ph.stride; p++) for (let k = 0; k < K; k++) this.critical[p * K + k] += ph.cycles[p * K + k];
    const cs = c.phaseStride!;
    for (let core = 0; core < this.cores; core++) {
      for (let p = 0; p < cs; p++) for (let k = 0; k < K; k++) this.perCore[(core * S + p) * K + k] += c.phaseCycles[(core * cs + p) * K + k];
    }
    this.runs++;
    this.modeled += report.modeledCycles;
    this.criticalCores.set(ph.core, (this.criticalCores.get(ph.core) ?? 0) + 1);
  }

  private widen(stride: number): void {
    if (stride <= this.stride) return;
    const old = this.stride;
    const crit = new Float64Array(stride * K);
    crit.set(this.critical);
    const per = new Float64Array(this.cores * stride * K);
    for (let core = 0; core < this.cores; core++) per.set(this.perCore.subarray(core * old * K, (core + 1) * old * K), core * stride * K);
    this.critical = crit;
    this.perCore = per;
    this.stride = stride;
  }

  get empty(): boolean {
    return this.runs === 0;
  }

  /** The profile: one row per phase that took any cycle on any core, in phase-id order. */
  result(): PhaseProfileResult {
    const S = this.stride;
    const phases: PhaseRow[] = [];
    const categories: CategoryTotals = { compute: 0, elementwise: 0, communication: 0, kvCache: 0, overhead: 0 };
    const busy = new Float64Array(this.cores);
    for (let p = 0; p < S; p++) {
      let any = false;
      let wait = 0;
      for (let core = 0; core < this.cores; core++) {
        const o = (core * S + p) * K;
        let b = 0;
        for (let k = 0; k < K; k++) if (k !== KIND_WAIT) b += this.perCore[o + k];
        busy[core] = b;
        wait += this.perCore[o + KIND_WAIT];
        if (b > 0 || this.perCore[o + KIND_WAIT] > 0) any = true;
      }
      const kinds = Object.fromEntries(CYCLE_KINDS.map((name, k) => [name, this.critical[p * K + k]])) as Record<CycleKind, number>;
      const cycles = CYCLE_KINDS.reduce((a, name) => a + kinds[name], 0);
      if (KV_PHASES.includes(p)) categories.kvCache += cycles;
      else {
        categories.compute += kinds.compute;
        categories.elementwise += kinds.elementwise;
        categories.overhead += kinds.overhead;
        categories.communication += kinds.relay + kinds.wait;
      }
      if (!any && cycles === 0) continue;
      phases.push({ phase: phaseName(p), cycles, share: this.modeled > 0 ? cycles / this.modeled : 0, kinds, busy: busyStats(busy), waitMean: wait / this.cores });
    }
    const criticalCores = [...this.criticalCores.entries()]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .map(([core, runs]) => ({ core: `core(${core % this.cols},${Math.floor(core / this.cols)})`, runs }));
    return { group: this.group, runs: this.runs, modeledCycles: this.modeled, criticalCores, phases, categories };
  }
}

/** mean, min, max, p95 (nearest rank) and max/mean of per-core values. */
export function busyStats(values: Float64Array): BusyStats {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const mean = sorted.reduce((a, v) => a + v, 0) / n;
  const max = sorted[n - 1];
  return { mean, min: sorted[0], max, p95: sorted[Math.max(0, Math.ceil(0.95 * n) - 1)], imbalance: mean > 0 ? max / mean : 0 };
}
