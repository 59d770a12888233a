// Where one thread's wall time went in a run (--profile-wall, observe.wallTrace): the local kernels, waiting for
// other threads, ring work, garbage collection, the rest; how long it slept; and, where Linux reports it, how long
// it was ready to run but waited for a CPU. Wall time only, never part of a modeled figure; off, it costs one
// branch per measured point.

import { localKernelClock, WALL_IDLE, WALL_RINGS, WALL_RUN } from '@wafer/arch';
import type { RunSummary } from '../protocol.js';
import { ThreadCpu } from './thread-cpu.js';
import { WallRecorder } from './wall-recorder.js';

export class TileWall {
  /** True when this thread times its runs (the wall trace reuses the wall profile's timing points). */
  readonly on: boolean;
  /** With observe.wallTrace: this thread's intervals (null: off). */
  readonly recorder: WallRecorder | null;
  /** GC time (ms) the worker observed since the last run; set by the worker before each run. */
  gcMs = 0;
  private idleMs = 0;
  private sleepMs = 0;
  private ringsMs = 0;
  /** The reader of the thread's run-queue time (null: off, or not reported by this system). */
  private readonly cpu: ThreadCpu | null;
  /** The run-queue total when the run started, or NaN if that read failed (the run then reports none). */
  private queueAtStart = Number.NaN;

  constructor(tile: number, profileWall: boolean, wallTrace: boolean) {
    this.recorder = wallTrace ? new WallRecorder(tile) : null;
    this.on = profileWall || wallTrace;
    this.cpu = profileWall ? ThreadCpu.open() : null;
  }

  /** The run starts: returns its start time (0 when off) and starts the local-kernel clock. */
  start(): number {
    this.idleMs = 0;
    this.sleepMs = 0;
    this.ringsMs = 0;
    this.queueAtStart = this.cpu !== null && this.cpu.read() ? this.cpu.runQueueMs : Number.NaN;
    localKernelClock.enabled = this.on;
    localKernelClock.ms = 0;
    localKernelClock.calls = 0;
    return this.on ? performance.now() : 0;
  }

  /** A point to measure from (0 when off). */
  now(): number {
    return this.on ? performance.now() : 0;
  }

  /** The thread waited for other threads from w0 until now. */
  idled(w0: number): void {
    if (!this.on) return;
    const t = performance.now();
    this.idleMs += t - w0;
    this.recorder?.add(WALL_IDLE, performance.timeOrigin + w0, performance.timeOrigin + t);
  }

  /** Marks the start of a sleep on the doorbell: returns its start time (0 when off). */
  sleeping(): number {
    if (!this.on) return 0;
    this.cpu?.read();
    return performance.now();
  }

  /**
   * The thread slept on its doorbell from w0 (`sleeping`) until now: part of a wait that `idled` then counts whole.
   * After its wake-up a thread may still wait for a CPU; that part is run-queue time, not sleep, so it is taken out
   * where the run-queue time is known (the sleep and the run-queue figures then never count the same time).
   */
  slept(w0: number): void {
    if (!this.on) return;
    const t = performance.now();
    let queued = 0;
    if (this.cpu !== null) {
      const before = this.cpu.runQueueMs;
      if (this.cpu.read()) queued = this.cpu.runQueueMs - before;
    }
    this.sleepMs += Math.max(0, t - w0 - queued);
  }

  /** The thread worked on its rings from w0 until now. */
  rings(w0: number): void {
    const t = performance.now();
    this.ringsMs += t - w0;
    this.recorder?.add(WALL_RINGS, performance.timeOrigin + w0, performance.timeOrigin + t);
  }

  /** The run that started at t0 ended; a finished run (`summary`, null otherwise) gets its figures and intervals when on. */
  end(t0: number, summary: RunSummary | null): void {
    localKernelClock.enabled = false;
    if (!this.on || summary === null) return;
    const t1 = performance.now();
    summary.wall = { runMs: t1 - t0, localKernelMs: localKernelClock.ms, localKernelCalls: localKernelClock.calls, idleMs: this.idleMs, linksMs: this.ringsMs, gcMs: this.gcMs, sleepMs: this.sleepMs };
    if (this.cpu !== null && !Number.isNaN(this.queueAtStart) && this.cpu.read()) summary.wall.runQueueMs = this.cpu.runQueueMs - this.queueAtStart;
    if (this.recorder === null) return;
    this.recorder.add(WALL_RUN, performance.timeOrigin + t0, performance.timeOrigin + t1);
    summary.wallTrace = this.recorder.take();
  }
}
