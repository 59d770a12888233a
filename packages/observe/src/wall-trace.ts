// The wall-clock trace of the emulator itself (for whoever makes it faster): the coordinator's runs, and per
// worker thread its run, its waits for other threads, its ring work and its garbage-collection pauses.

import { WALL_GC, WALL_KIND_NAMES, WALL_RUN, WALL_INTERVAL_CAP } from '@wafer/arch';
import type { RunReport } from '@wafer/fabric';
import { roundUs, TraceWriter, type TextSink } from './trace-writer.js';

const COORDINATOR_PID = 1;

export class WallTraceWriter {
  private readonly w: TraceWriter;
  private base: number | null = null; // ms since the epoch of the first run's start
  private threads = 0;
  private runs = 0;
  private dropped = 0;

  constructor(sink: TextSink, private readonly title: string) {
    this.w = new TraceWriter(sink);
    this.w.processInfo(COORDINATOR_PID, 'coordinator', 0);
    this.w.threadInfo(COORDINATOR_PID, 1, 'runs', 0);
  }

  private us(ms: number): number {
    return roundUs((ms - this.base!) * 1000);
  }

  /** Appends one run (its report must carry `wallTrace`). */
  addRun(label: string, report: RunReport): void {
    const wt = report.wallTrace;
    if (wt === undefined) throw new Error('a run without a wall trace: start the fabric with observe.wallTrace');
    if (this.base === null) this.base = wt.coordinator[0];
    const [c0, c1] = wt.coordinator;
    this.w.complete({ name: label, cat: 'run', pid: COORDINATOR_PID, tid: 1, ts: this.us(c0), dur: roundUs(this.us(c1) - this.us(c0)), args: { wall_ms: c1 - c0 } });
    for (const t of wt.threads) {
      const pid = 2 + t.tile;
      if (t.tile >= this.threads) {
        for (let k = this.threads; k <= t.tile; k++) {
          this.w.processInfo(2 + k, `worker thread ${k} (tile ${k})`, 1 + k);
          this.w.threadInfo(2 + k, 1, 'run', 0);
          this.w.threadInfo(2 + k, 2, 'GC', 1);
        }
        this.threads = t.tile + 1;
      }
      this.dropped += t.dropped;
      const order = Array.from(t.kinds.keys()).sort((a, b) => t.start[a] - t.start[b] || t.end[b] - t.end[a] || t.kinds[a] - t.kinds[b]);
      for (const i of order) {
        const ts = this.us(t.start[i]);
        const dur = roundUs(this.us(t.end[i]) - ts);
        // Intervals shorter than the rounding, and GC pauses from before the first run, are left out.
        if (dur <= 0 || ts < 0) continue;
        const kind = t.kinds[i];
        this.w.complete({ name: kind === WALL_RUN ? label : WALL_KIND_NAMES[kind], cat: WALL_KIND_NAMES[kind], pid, tid: kind === WALL_GC ? 2 : 1, ts, dur });
      }
    }
    this.runs++;
  }

  finish(): void {
    this.w.finish({ wafer: 'wall-clock trace of the emulator', run: this.title, time: 'wall clock of this machine, µs since the first run started', runs: this.runs, caps: { intervals_per_thread_per_run: WALL_INTERVAL_CAP }, intervals_dropped: this.dropped });
  }
}
