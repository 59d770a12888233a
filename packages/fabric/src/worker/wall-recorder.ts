// Wall-clock intervals of one worker thread (observe.wallTrace): the run, its waits for other threads, its ring
// work, and the garbage-collection pauses the thread observed. Wall time only, never part of a modeled figure.

import { WALL_GC, WALL_INTERVAL_CAP } from '@wafer/arch';
import type { WallIntervals } from '../protocol.js';

/** Milliseconds since the epoch on this thread's clock (threads share the epoch, not performance.now()). */
export function wallNowMs(): number {
  return performance.timeOrigin + performance.now();
}

export class WallRecorder {
  private kinds = new Uint8Array(256);
  private start = new Float64Array(256);
  private end = new Float64Array(256);
  private n = 0;
  private dropped = 0;

  constructor(private readonly tile: number) {}

  /** An interval [t0, t1] (ms since the epoch) of `kind`. */
  add(kind: number, t0: number, t1: number): void {
    if (this.n >= WALL_INTERVAL_CAP) {
      this.dropped++;
      return;
    }
    if (this.n === this.kinds.length) {
      const grow = <T extends Uint8Array | Float64Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.kinds = grow(this.kinds, (k) => new Uint8Array(k));
      this.start = grow(this.start, (k) => new Float64Array(k));
      this.end = grow(this.end, (k) => new Float64Array(k));
    }
    this.kinds[this.n] = kind;
    this.start[this.n] = t0;
    this.end[this.n] = t1;
    this.n++;
  }

  /** A GC pause reported by the thread's PerformanceObserver (startTime is relative to its timeOrigin). */
  gc(startTime: number, duration: number): void {
    const t0 = performance.timeOrigin + startTime;
    this.add(WALL_GC, t0, t0 + duration);
  }

  /** The intervals recorded since the last take (GC pauses may belong to the previous run). */
  take(): WallIntervals {
    const out = { tile: this.tile, kinds: this.kinds.slice(0, this.n), start: this.start.slice(0, this.n), end: this.end.slice(0, this.n), dropped: this.dropped };
    this.n = 0;
    this.dropped = 0;
    return out;
  }
}
