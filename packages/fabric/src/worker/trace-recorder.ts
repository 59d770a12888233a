// Per-core trace events of one tile (observe.trace): phase markers, kernel steps, sends, receives and SRAM
// changes of the cores inside the traced window, each core's in its program order and capped per core, so the
// recorded events are the same whatever thread ran the core.

import { EV_PHASE, EV_RECV, EV_SEND, EV_SRAM, EV_STEP, TRACE_EVENT_BUDGET, TRACE_RECORD } from '@wafer/arch';
import type { CoreWindow, TileTrace } from '../protocol.js';

const R = TRACE_RECORD;

export class TraceRecorder {
  /** Per local core: its slot among the traced cores, or -1. */
  readonly slot: Int32Array;
  private readonly locals: number[] = []; // local index of each traced core, ascending
  private readonly globals: Int32Array;
  private readonly cap: number; // events per traced core and run
  private buf: Float64Array[]; // per slot
  private readonly count: Int32Array;
  private readonly dropped: Int32Array;
  private readonly recvSeq: Int32Array; // [slot × 32]: receives per colour in this run

  /** `coords(i)` gives local core i's (x, y) and global index. */
  constructor(n: number, window: CoreWindow, coords: (i: number) => { x: number; y: number; global: number }) {
    this.slot = new Int32Array(n).fill(-1);
    const globals: number[] = [];
    for (let i = 0; i < n; i++) {
      const c = coords(i);
      if (c.x >= window.x0 && c.x < window.x0 + window.width && c.y >= window.y0 && c.y < window.y0 + window.height) {
        this.slot[i] = this.locals.length;
        this.locals.push(i);
        globals.push(c.global);
      }
    }
    this.globals = Int32Array.from(globals);
    const traced = this.locals.length;
    this.cap = Math.floor(TRACE_EVENT_BUDGET / (window.width * window.height)); // >= 16: checkWindow
    this.buf = Array.from({ length: traced }, () => new Float64Array(0));
    this.count = new Int32Array(traced);
    this.dropped = new Int32Array(traced);
    this.recvSeq = new Int32Array(traced * 32);
  }

  /** Starts a run: no events; each traced core's SRAM in use at time 0. */
  reset(usedBytes: Float64Array): void {
    this.count.fill(0);
    this.dropped.fill(0);
    this.recvSeq.fill(0);
    for (let s = 0; s < this.locals.length; s++) this.push(s, EV_SRAM, 0, usedBytes[this.locals[s]], 0, 0, 0);
  }

  private push(s: number, type: number, time: number, a: number, b: number, c: number, d: number): void {
    const k = this.count[s];
    if (k >= this.cap) {
      this.dropped[s]++;
      return;
    }
    let b0 = this.buf[s];
    if ((k + 1) * R > b0.length) {
      const next = new Float64Array(Math.min(this.cap, Math.max(64, 2 * (k + 1))) * R);
      next.set(b0);
      b0 = this.buf[s] = next;
    }
    const o = k * R;
    b0[o] = type;
    b0[o + 1] = time;
    b0[o + 2] = a;
    b0[o + 3] = b;
    b0[o + 4] = c;
    b0[o + 5] = d;
    this.count[s] = k + 1;
  }

  phase(i: number, time: number, id: number): void {
    const s = this.slot[i];
    if (s >= 0) this.push(s, EV_PHASE, time, id, 0, 0, 0);
  }
  step(i: number, time: number): void {
    const s = this.slot[i];
    if (s >= 0) this.push(s, EV_STEP, time, 0, 0, 0, 0);
  }
  send(i: number, time: number, start: number, packedRoute: number, words: number): void {
    const s = this.slot[i];
    if (s >= 0) this.push(s, EV_SEND, time, start, packedRoute, words, 0);
  }
  recv(i: number, color: number, waitedFrom: number, ready: number, words: number): void {
    const s = this.slot[i];
    if (s < 0) return;
    const seq = this.recvSeq[s * 32 + color]++;
    this.push(s, EV_RECV, ready, color, seq, words, waitedFrom);
  }
  sram(i: number, time: number, bytes: number): void {
    const s = this.slot[i];
    if (s >= 0) this.push(s, EV_SRAM, time, bytes, 0, 0, 0);
  }

  /** The run's events, grouped by core in ascending global order, with every traced core's final clock. */
  collect(clock: Float64Array): TileTrace {
    const total = this.count.reduce((a, k) => a + k, 0);
    const events = new Float64Array(total * R);
    const order = Array.from(this.globals.keys()).sort((p, q) => this.globals[p] - this.globals[q]);
    let o = 0;
    for (const s of order) {
      events.set(this.buf[s].subarray(0, this.count[s] * R), o);
      o += this.count[s] * R;
    }
    return {
      cores: Int32Array.from(order, (s) => this.globals[s]),
      endClock: Float64Array.from(order, (s) => clock[this.locals[s]]),
      counts: Int32Array.from(order, (s) => this.count[s]),
      dropped: Int32Array.from(order, (s) => this.dropped[s]),
      events,
    };
  }
}
