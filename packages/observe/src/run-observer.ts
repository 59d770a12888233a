// Takes a generation's or a kernel's runs as they finish and keeps what the views need: a phase profile per
// group of runs, per-core and per-link counter totals per group (for the heatmaps), and the traces, streamed
// to their files. It reads counters and traces only; it never runs a core.

import type { MachineSpec, MeshShape } from '@wafer/arch';
import type { CoreWindow, RunReport } from '@wafer/fabric';
import { PhaseProfile, type PhaseProfileResult } from './phase-profile.js';
import { ModeledTraceWriter } from './modeled-trace.js';
import { WallTraceWriter } from './wall-trace.js';
import type { TextSink } from './trace-writer.js';

/** Counter totals of one group of runs: per core [rows·cols], per link [rows·cols·4] (direction N E S W). */
export interface GroupCounters {
  group: string;
  runs: number;
  modeledCycles: number; // Σ of the runs' modeled cycles
  busy: Float64Array; // Σ busy cycles
  wait: Float64Array; // Σ cycles waiting for messages
  sramPeak: Float64Array; // largest peak SRAM bytes of any run
  linkWords: Float64Array; // Σ values sent over each link
  linkBusy: Float64Array; // Σ cycles each link was busy
}

export interface RunObserverOptions {
  mesh: MeshShape;
  machine: MachineSpec;
  /** Keep a phase profile per group (the runs must carry phases and counters). */
  profile?: boolean;
  /** Keep counter totals per group (the runs must carry counters). */
  counters?: boolean;
  /** Write the modeled-time trace (the runs must carry traces). */
  trace?: { sink: TextSink; window: CoreWindow; title: string; maxFlows?: number };
  /** Write the wall-clock trace of the worker threads (the runs must carry wall traces). */
  wallTrace?: { sink: TextSink; title: string };
}

export class RunObserver {
  private readonly profiles = new Map<string, PhaseProfile>();
  private readonly totals = new Map<string, GroupCounters>();
  private readonly modeled: ModeledTraceWriter | null;
  private readonly wall: WallTraceWriter | null;

  constructor(private readonly o: RunObserverOptions) {
    this.modeled = o.trace ? new ModeledTraceWriter(o.trace.sink, { mesh: o.mesh, machine: o.machine, window: o.trace.window, title: o.trace.title, maxFlows: o.trace.maxFlows }) : null;
    this.wall = o.wallTrace ? new WallTraceWriter(o.wallTrace.sink, o.wallTrace.title) : null;
  }

  /**
   * Takes one run of `group` ('prefill', 'decode', 'kernel'); `label` names it in the traces. Its bulky parts
   * (counters, traces) are released from the report afterwards.
   */
  add(group: string, label: string, report: RunReport): void {
    if (this.o.profile) this.profile(group).add(report);
    if (this.o.counters) this.addCounters(group, report);
    this.modeled?.addRun(label, report);
    this.wall?.addRun(label, report);
    report.counters = undefined;
    report.trace = undefined;
    report.wallTrace = undefined;
  }

  private profile(group: string): PhaseProfile {
    let p = this.profiles.get(group);
    if (p === undefined) this.profiles.set(group, (p = new PhaseProfile(group, this.o.mesh.cols, this.o.mesh.rows * this.o.mesh.cols)));
    return p;
  }

  private addCounters(group: string, report: RunReport): void {
    const c = report.counters;
    if (c === undefined) throw new Error('a run without counters: start the fabric with observe.counters');
    let t = this.totals.get(group);
    if (t === undefined) {
      const n = this.o.mesh.rows * this.o.mesh.cols;
      t = { group, runs: 0, modeledCycles: 0, busy: new Float64Array(n), wait: new Float64Array(n), sramPeak: new Float64Array(n), linkWords: new Float64Array(4 * n), linkBusy: new Float64Array(4 * n) };
      this.totals.set(group, t);
    }
    t.runs++;
    t.modeledCycles += report.modeledCycles;
    addInto(t.busy, c.busyCycles);
    addInto(t.wait, c.waitCycles);
    for (let i = 0; i < t.sramPeak.length; i++) if (c.sramPeakBytes[i] > t.sramPeak[i]) t.sramPeak[i] = c.sramPeakBytes[i];
    addInto(t.linkWords, c.linkWords);
    addInto(t.linkBusy, c.linkBusyCycles);
  }

  /** The profiles, one per group in the order the groups first ran. */
  profileResults(): PhaseProfileResult[] {
    return [...this.profiles.values()].map((p) => p.result());
  }

  /** The counter totals, one per group in the order the groups first ran. */
  counterTotals(): GroupCounters[] {
    return [...this.totals.values()];
  }

  /** Closes the trace files; returns what the modeled trace kept and left out. */
  finish(): ReturnType<ModeledTraceWriter['finish']> | null {
    this.wall?.finish();
    return this.modeled?.finish() ?? null;
  }
}

function addInto(dst: Float64Array, src: Float64Array): void {
  for (let i = 0; i < dst.length; i++) dst[i] += src[i];
}
