// The fabric's shared control memory: abort flag, per-worker doorbells, idle flags and ring traffic counts.
// Every slot is a named offset; both the coordinator and the tiles build the same view from the same SAB.

export const ABORT_NONE = 0;
export const ABORT_FAILED = 1; // a core program threw or a worker died
export const ABORT_DEADLOCK = 2; // the watchdog found every core waiting with nothing in flight
export const ABORT_DESTROYED = 3; // destroy() was called

// Every slot sits on its own 64-byte cache line: slots that different threads write (doorbells, counts) would
// otherwise share lines and make every update bounce the line between cores.
const LINE = 16; // Int32 slots per cache line
const SLOT_ABORT = 0;
const SLOT_RUN_EPOCH = LINE; // bumped by the coordinator at the start of each run
const SLOT_RUN_ENDED = 2 * LINE; // set to the run's epoch once every tile has finished its cores
const FIXED_SLOTS = 3 * LINE;
const PER_THREAD = 7; // doorbell, idle, sleeping, written, read, strays, progress

/**
 * Offsets in worker t's progress line (`progressSlot(t)`), which only that worker writes, with plain stores
 * (cheaper than Atomics on its hot path); the coordinator's watchdog samples them, and a stale or torn-free
 * int32 read is all it needs.
 */
export const PROGRESS_RUNNING = 0; // 1 + local index of the core being resumed; 0 while none is
export const PROGRESS_BEATS = 1; // bumped at every scheduling point and every compute charge
export const PROGRESS_EPOCH = 2; // the run the worker has started (its program is loaded)

/** Atomics.waitAsync (Node 16+; its types are in lib ES2024, past this project's ES2023). */
interface AtomicsWaitAsync {
  waitAsync(i32: Int32Array, index: number, value: number, timeoutMs: number): { async: boolean; value: Promise<string> | string };
}

/** Named offsets into the control Int32Array for T workers. */
export class ControlState {
  readonly i32: Int32Array;
  constructor(readonly sab: SharedArrayBuffer, readonly threads: number) {
    this.i32 = new Int32Array(sab);
  }
  static create(threads: number): ControlState {
    return new ControlState(new SharedArrayBuffer((FIXED_SLOTS + PER_THREAD * threads * LINE) * 4), threads);
  }
  private slot(kind: number, t: number): number { return FIXED_SLOTS + (kind * this.threads + t) * LINE; }
  private doorbellSlot(t: number): number { return this.slot(0, t); }
  private idleSlot(t: number): number { return this.slot(1, t); }
  private sleepingSlot(t: number): number { return this.slot(2, t); }
  private writtenSlot(t: number): number { return this.slot(3, t); }
  private readSlot(t: number): number { return this.slot(4, t); }
  private straysSlot(t: number): number { return this.slot(5, t); }
  /** First slot of worker t's progress line (PROGRESS_* offsets). */
  progressSlot(t: number): number { return this.slot(6, t); }

  get abort(): number { return Atomics.load(this.i32, SLOT_ABORT); }
  /** Sets the abort reason (first one wins) and wakes every worker. */
  raiseAbort(reason: number): void {
    Atomics.compareExchange(this.i32, SLOT_ABORT, ABORT_NONE, reason);
    for (let t = 0; t < this.threads; t++) this.ring(t);
  }
  clearAbort(): void { Atomics.store(this.i32, SLOT_ABORT, ABORT_NONE); }

  /** Starts a run; returns its epoch. */
  bumpRunEpoch(): number { return Atomics.add(this.i32, SLOT_RUN_EPOCH, 1) + 1; }
  /** Every tile has finished run `epoch`: tiles still draining their rings may stop. Wakes them all. */
  endRun(epoch: number): void {
    Atomics.store(this.i32, SLOT_RUN_ENDED, epoch);
    for (let t = 0; t < this.threads; t++) this.ring(t);
  }
  runEnded(epoch: number): boolean { return Atomics.load(this.i32, SLOT_RUN_ENDED) === epoch; }

  /** Wakes worker t: the add is seq-cst, so a ring write made before it is visible once t sees the new value. */
  ring(t: number): void {
    Atomics.add(this.i32, this.doorbellSlot(t), 1);
    Atomics.notify(this.i32, this.doorbellSlot(t));
  }

  /**
   * Wakes worker t only if it is going to sleep (for new ring data). A worker that is awake polls its rings,
   * so it needs no doorbell. No wake-up is lost: t raises its sleeping flag and then looks at its rings again
   * before it waits; this thread wrote the ring and then reads the flag (both seq-cst), so one of the two
   * sees the other.
   */
  ringIfSleeping(t: number): void {
    if (Atomics.load(this.i32, this.sleepingSlot(t)) !== 0) this.ring(t);
  }
  /** Worker t is about to sleep on its doorbell (set before its last look at the rings), or is awake again. */
  setSleeping(t: number, sleeping: boolean): void { Atomics.store(this.i32, this.sleepingSlot(t), sleeping ? 1 : 0); }
  doorbell(t: number): number { return Atomics.load(this.i32, this.doorbellSlot(t)); }
  /**
   * Like waitDoorbell without blocking the thread: the hosts' bridges wait on the doorbells of the tiles that
   * live on other hosts (local tiles ring them when they write toward those tiles or free space they need).
   */
  waitDoorbellAsync(t: number, seen: number, timeoutMs: number): Promise<string> {
    const r = (Atomics as unknown as AtomicsWaitAsync).waitAsync(this.i32, this.doorbellSlot(t), seen, timeoutMs);
    return typeof r.value === 'string' ? Promise.resolve(r.value) : r.value;
  }
  /** Sleeps until worker t's doorbell moves from `seen` or the timeout passes. */
  waitDoorbell(t: number, seen: number, timeoutMs: number): 'ok' | 'not-equal' | 'timed-out' {
    return Atomics.wait(this.i32, this.doorbellSlot(t), seen, timeoutMs);
  }

  /**
   * Worker t waits with nothing to do in run `epoch` (0: it is not idle). Keyed by run, so a worker still
   * draining the last run's rings, or not yet started on this one, never looks idle to this run's watchdog.
   */
  setIdle(t: number, epoch: number): void { Atomics.store(this.i32, this.idleSlot(t), epoch); }
  isIdle(t: number, epoch: number): boolean { return Atomics.load(this.i32, this.idleSlot(t)) === epoch; }

  /** Cross-tile messages written by / read by worker t (for the deadlock watchdog). */
  addWritten(t: number, n: number): void { Atomics.add(this.i32, this.writtenSlot(t), n); }
  addRead(t: number, n: number): void { Atomics.add(this.i32, this.readSlot(t), n); }
  totalWritten(): number { let s = 0; for (let t = 0; t < this.threads; t++) s += Atomics.load(this.i32, this.writtenSlot(t)); return s; }
  /**
   * Messages that reached worker t's cores after they ended, or were never received (set by t when its cores
   * finish, and before each later ring read is counted, so it is final once every written message was read).
   */
  setStrays(t: number, n: number): void { Atomics.store(this.i32, this.straysSlot(t), n); }
  totalStrays(): number { let s = 0; for (let t = 0; t < this.threads; t++) s += Atomics.load(this.i32, this.straysSlot(t)); return s; }
  totalRead(): number { let s = 0; for (let t = 0; t < this.threads; t++) s += Atomics.load(this.i32, this.readSlot(t)); return s; }

  /** Worker t's progress: the local index of the core it is running (-1: none), its beat count, its run. */
  progress(t: number): { running: number; beats: number; epoch: number } {
    const at = this.progressSlot(t);
    return { running: Atomics.load(this.i32, at + PROGRESS_RUNNING) - 1, beats: Atomics.load(this.i32, at + PROGRESS_BEATS), epoch: Atomics.load(this.i32, at + PROGRESS_EPOCH) };
  }
}
