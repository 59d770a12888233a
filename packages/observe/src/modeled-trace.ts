// The modeled-time trace: runs one after another on the emulated chip's clock (cycles shown as µs at the
// machine's clock), one track per traced core with a slice per phase, per kernel step and per wait, flow arrows
// for messages, and counter tracks of each core's SRAM and outgoing link. Rows of cores are processes.

import { coreName, EV_PHASE, EV_RECV, EV_SEND, EV_SRAM, EV_STEP, phaseName, serialisationCycles, TRACE_EVENT_BUDGET, TRACE_RECORD, type MachineSpec, type MeshShape } from '@wafer/arch';
import type { CoreWindow, RunReport, TileTrace } from '@wafer/fabric';
import { pairFlows, type FlowTally, type RunFlows } from './flows.js';
import { roundUs, TraceWriter, type FlowEvent, type TextSink } from './trace-writer.js';

const R = TRACE_RECORD;
const RUNS_PID = 1;
/** Flow arrows a trace keeps by default (the first ones, in run, sender and program order). */
export const DEFAULT_MAX_FLOWS = 20_000;

export interface ModeledTraceOptions {
  mesh: MeshShape;
  machine: MachineSpec;
  window: CoreWindow;
  maxFlows?: number;
  /** What ran (shown in the trace's metadata). */
  title: string;
}

/** A slice on a core's track, or a flow end, in cycles of its run. */
interface TrackItem {
  t0: number;
  t1: number; // = t0 for flow events
  kind: 'slice' | 'flow';
  name: string;
  cat: string;
  flow?: { id: number; ph: 's' | 'f' };
  args?: Record<string, unknown>;
}

export class ModeledTraceWriter {
  private readonly w: TraceWriter;
  private readonly us: (cycles: number) => number;
  private offset = 0; // cycles of the runs written so far
  private runs = 0;
  private nextFlow = 1;
  private readonly tally: FlowTally = { kept: 0, overCap: 0, unmatched: 0, ambiguous: 0 };
  private eventsDropped = 0;
  private readonly truncated = new Set<string>();
  private readonly maxFlows: number;

  constructor(sink: TextSink, private readonly o: ModeledTraceOptions) {
    this.w = new TraceWriter(sink);
    this.maxFlows = o.maxFlows ?? DEFAULT_MAX_FLOWS;
    this.us = (cycles) => roundUs((cycles * 1e6) / o.machine.clockHz);
    this.w.processInfo(RUNS_PID, 'runs (modeled time)', 0);
    this.w.threadInfo(RUNS_PID, 1, 'runs', 0);
    const { x0, y0, width, height } = o.window;
    for (let y = y0; y < y0 + height; y++) {
      this.w.processInfo(rowPid(y), `row ${y}`, y + 1);
      for (let x = x0; x < x0 + width; x++) this.w.threadInfo(rowPid(y), this.tid(x, y), coreName(x, y), x);
    }
  }

  private tid(x: number, y: number): number {
    return 2 + y * this.o.mesh.cols + x;
  }

  /** Appends one run (its report must carry `trace`), after the runs already written. */
  addRun(label: string, report: RunReport): void {
    const trace = report.trace;
    if (trace === undefined) throw new Error('a run without a trace: start the fabric with observe.trace');
    const t0 = this.offset;
    this.w.complete({ name: label, cat: 'run', pid: RUNS_PID, tid: 1, ts: this.us(t0), dur: roundUs(this.us(t0 + report.modeledCycles) - this.us(t0)), args: { modeled_cycles: report.modeledCycles, messages: report.messages } });
    const flows = pairFlows(trace, this.o.mesh, this.nextFlow, this.maxFlows - this.tally.kept, this.tally);
    this.nextFlow += flows.recvs.size;
    let e = 0;
    trace.cores.forEach((core, k) => {
      this.writeCore(trace, k, core, e, flows);
      e += trace.counts[k];
      if (trace.dropped[k] > 0) {
        this.eventsDropped += trace.dropped[k];
        this.truncated.add(coreName(core % this.o.mesh.cols, Math.floor(core / this.o.mesh.cols)));
      }
    });
    this.offset += report.modeledCycles;
    this.runs++;
  }

  /** One core's slices, flow ends and counters in this run; `first` is its first event's index. */
  private writeCore(trace: TileTrace, k: number, core: number, first: number, flows: RunFlows): void {
    const cols = this.o.mesh.cols;
    const x = core % cols;
    const y = (core - x) / cols;
    const pid = rowPid(y);
    const tid = this.tid(x, y);
    const ev = trace.events;
    const items: TrackItem[] = [];
    let phase = { name: phaseName(0), t0: 0 };
    let step: { t0: number; n: number } | null = null;
    let steps = 0;
    const closeStep = (t: number) => {
      if (step !== null) items.push({ t0: step.t0, t1: t, kind: 'slice', name: 'step', cat: 'step', args: { step: step.n } });
      step = null;
    };
    const closePhase = (t: number) => {
      closeStep(t);
      items.push({ t0: phase.t0, t1: t, kind: 'slice', name: phase.name, cat: 'phase' });
    };
    const sram = `SRAM ${coreName(x, y)}`;
    const egress = `egress ${coreName(x, y)}`;
    for (let j = 0; j < trace.counts[k]; j++) {
      const e = first + j;
      const o = e * R;
      const t = ev[o + 1];
      switch (ev[o]) {
        case EV_PHASE:
          closePhase(t);
          phase = { name: phaseName(ev[o + 2]), t0: t };
          steps = 0;
          break;
        case EV_STEP:
          closeStep(t);
          step = { t0: t, n: steps++ };
          break;
        case EV_SEND: {
          const start = ev[o + 2];
          const words = ev[o + 4];
          for (const id of flows.sends.get(e) ?? []) items.push({ t0: t, t1: t, kind: 'flow', name: 'message', cat: 'message', flow: { id, ph: 's' } });
          this.w.counter({ name: egress, pid, tid, ts: this.us(this.offset + start), args: { values: words } });
          this.w.counter({ name: egress, pid, tid, ts: this.us(this.offset + start + serialisationCycles(this.o.machine, words)), args: { values: 0 } });
          break;
        }
        case EV_RECV: {
          const from = ev[o + 5];
          if (t > from) items.push({ t0: from, t1: t, kind: 'slice', name: `wait colour ${ev[o + 2]}`, cat: 'wait', args: { values: ev[o + 4] } });
          const id = flows.recvs.get(e);
          if (id !== undefined) items.push({ t0: t, t1: t, kind: 'flow', name: 'message', cat: 'message', flow: { id, ph: 'f' } });
          break;
        }
        case EV_SRAM:
          this.w.counter({ name: sram, pid, tid, ts: this.us(this.offset + t), args: { bytes: ev[o + 2] } });
          break;
      }
    }
    closePhase(trace.endClock[k]);
    this.writeItems(items, pid, tid);
  }

  /** Writes a track's items in time order; at one time, longer slices (the enclosing ones) first, flows last. */
  private writeItems(items: TrackItem[], pid: number, tid: number): void {
    const rank = (i: TrackItem) => (i.kind === 'flow' ? 3 : i.cat === 'phase' ? 0 : i.cat === 'step' ? 1 : 2);
    items.sort((a, b) => a.t0 - b.t0 || (a.kind === 'flow' || b.kind === 'flow' ? 0 : b.t1 - a.t1) || rank(a) - rank(b));
    for (const i of items) {
      const ts = this.us(this.offset + i.t0);
      if (i.kind === 'flow') {
        const f = i.flow!;
        this.w.event<FlowEvent>({ ph: f.ph, name: i.name, cat: i.cat, id: f.id, pid, tid, ts, ...(f.ph === 'f' ? { bp: 'e' as const } : {}) });
        continue;
      }
      const dur = roundUs(this.us(this.offset + i.t1) - ts);
      if (dur <= 0) continue;
      this.w.complete({ name: i.name, cat: i.cat, pid, tid, ts, dur, args: { cycles: i.t1 - i.t0, ...i.args } });
    }
  }

  /** Ends the trace with its metadata: caps, and what they left out. */
  finish(): { events: number; flows: FlowTally; eventsDropped: number } {
    const cores = this.o.window.width * this.o.window.height;
    this.w.finish({
      wafer: 'modeled-time trace',
      run: this.o.title,
      time: `modeled: cycles of ${this.o.machine.name} at ${this.o.machine.clockHz} Hz, shown as µs; runs follow each other`,
      window: this.o.window,
      runs: this.runs,
      modeled_cycles: this.offset,
      caps: { events_per_core_per_run: Math.floor(TRACE_EVENT_BUDGET / cores), events_per_run: TRACE_EVENT_BUDGET, flows: this.maxFlows },
      flows: { kept: this.tally.kept, over_cap: this.tally.overCap, unmatched: this.tally.unmatched, ambiguous: this.tally.ambiguous },
      events_dropped: this.eventsDropped,
      truncated_cores: [...this.truncated].slice(0, 32),
    });
    return { events: this.w.events, flows: { ...this.tally }, eventsDropped: this.eventsDropped };
  }
}

function rowPid(y: number): number {
  return 2 + y;
}
