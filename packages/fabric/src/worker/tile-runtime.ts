// A tile of virtual cores owned by one worker thread: per-core state as flat arrays, a cooperative
// scheduler that resumes each core's generator until it waits, and delivery within and across tiles.

import { coreName, KIND_WAIT, serialisationCycles } from '@wafer/arch';
import type { CoreProgram, MachineSpec, MeshShape, SubProgram, Tile } from '@wafer/arch';
import { ABORT_NONE, ABORT_FAILED, ControlState, PROGRESS_BEATS, PROGRESS_EPOCH, PROGRESS_RUNNING } from '../shared-state.js';
import type { CoreFailure, RunSummary, TileCounters, TileInit, WaitingCore } from '../protocol.js';
import { CoreHandle, COLOR_MASK, STREAM_FLAG } from './core-handle.js';
import { CoreMemory } from './core-memory.js';
import { Mailbox } from './mailbox.js';
import { CLOCK, CORE_STRIDE, COUNTER_FIELDS, coreField, INGRESS_FREE, RECV_MESSAGES, RECV_WORDS, resetCoreState, SENT_MESSAGES, SENT_WORDS, STREAMED, WAIT } from './core-state.js';
import { TileLinks } from './tile-links.js';
import { VectorArena } from './vector-arena.js';
import { PhaseLedger } from './phase-ledger.js';
import { TraceRecorder } from './trace-recorder.js';
import { TileTraffic } from './tile-traffic.js';
import { TileWall } from './tile-wall.js';
import { injectedFault, type InjectedFault } from './fault-injection.js';

const IDLE_WAIT_MS = 50;
const STEPS_BETWEEN_POLLS = 64; // cores resumed between looks at the rings and the abort flag

/** The outcome of one run on this tile. */
export type TileRunResult =
  | { kind: 'done'; summary: RunSummary }
  | { kind: 'failed'; failure: CoreFailure }
  | { kind: 'aborted'; reason: number; waiting: WaitingCore[]; waitingCount: number };

export class TileRuntime {
  readonly mesh: MeshShape;
  readonly machine: MachineSpec;
  readonly tile: Tile;
  readonly n: number;
  private readonly control: ControlState;
  private readonly owner: Int32Array; // global core -> tile id
  private readonly cores: CoreHandle[];

  // Per-core state, indexed by local row-major core order within the tile.
  /** Every core's modeled state, CORE_STRIDE doubles per core (core-state.ts). */
  readonly state: Float64Array;
  /**
   * Per core: -1 while running or runnable, else the RecvRequest it waits on. Apart from the state: a delivery
   * to a core that is not waiting then touches 4 bytes in a small array, not the receiver's state lines.
   */
  private readonly waitReq: Int32Array;
  private readonly lastTaken: Float64Array; // [core * 32 + colour]: when this core last took a message off that route
  readonly memory: CoreMemory;
  /** Per core, while it waits: the generator it runs (its program, or the sub-program that program is running). */
  private readonly gens: (SubProgram | null)[];
  /** Per core: the generators suspended in `yield sub(...)` under the running one, innermost last. */
  private readonly callers: (SubProgram[] | undefined)[];
  private readonly inbox: (Float32Array | undefined)[];
  private readonly mailbox: Mailbox; // messages that arrived before their receive
  /** Message payloads and scratch vectors of the current run. */
  readonly arena = new VectorArena();
  /** With observe.phases: every core's cycles per phase and kind (null: off, and nothing is counted). */
  readonly ledger: PhaseLedger | null;
  /** With observe.trace: the traced cores' events (null: off). */
  readonly recorder: TraceRecorder | null;
  /** Where this thread's wall time goes (--profile-wall, observe.wallTrace). */
  readonly wall: TileWall;
  /** Route-table entries and traffic counters of this tile's senders. */
  readonly traffic: TileTraffic;
  private readonly returnCounters: boolean;

  private readonly runQueue: Int32Array;
  private qHead = 0;
  private qLen = 0;
  private finished = 0;
  private idleWaits = 0; // times this thread slept waiting for another tile (wall-clock diagnostics)
  private idleTimeouts = 0;
  private readonly links: TileLinks;
  private failure: CoreFailure | null = null;
  /**
   * This thread's progress line in the control memory (plain stores, one writer): which core runs, and a
   * beat count the coordinator's watchdog samples to find a core program that never yields.
   */
  private readonly progress: Int32Array;
  private readonly progressAt: number;
  private readonly fault: InjectedFault | null = injectedFault();

  constructor(init: TileInit) {
    this.mesh = init.mesh;
    this.machine = init.machine;
    this.tile = init.tiles[init.tileId];
    this.control = new ControlState(init.control, init.tiles.length);
    const { rows, cols } = this.mesh;
    this.owner = new Int32Array(rows * cols);
    for (const t of init.tiles) for (let y = t.y0; y < t.y0 + t.height; y++) this.owner.fill(t.id, y * cols + t.x0, y * cols + t.x0 + t.width);
    const n = (this.n = this.tile.width * this.tile.height);
    this.state = new Float64Array(n * CORE_STRIDE);
    resetCoreState(this.state);
    this.waitReq = new Int32Array(n).fill(-1);
    this.lastTaken = new Float64Array(n * 32);
    this.gens = new Array(n).fill(null);
    this.callers = new Array(n);
    this.inbox = new Array(n);
    this.mailbox = new Mailbox(n);
    this.runQueue = new Int32Array(n);
    this.traffic = new TileTraffic(this.mesh, new Uint32Array(init.routeTable));
    this.cores = new Array(n);
    for (let i = 0; i < n; i++) this.cores[i] = new CoreHandle(this, i, this.tile.x0 + (i % this.tile.width), this.tile.y0 + Math.floor(i / this.tile.width));
    this.links = new TileLinks(this.tile.id, init.rings, this.control, (k) => this.arena.takeRaw(k), (dst, color, hops, start, payload) => this.deliver(this.local(dst), color, hops, start, payload));
    this.memory = new CoreMemory(n, this.machine, init.sramUnlimited, (i) => coreName(this.cores[i].x, this.cores[i].y));
    const observe = init.observe ?? {};
    this.ledger = observe.phases ? new PhaseLedger(n) : null;
    this.recorder = observe.trace ? new TraceRecorder(n, observe.trace, (i) => ({ x: this.cores[i].x, y: this.cores[i].y, global: this.globalIndex(i) })) : null;
    this.wall = new TileWall(this.tile.id, init.profileWall, observe.wallTrace === true);
    this.returnCounters = observe.phases === true || observe.counters === true;
    this.spinMicros = init.spinMicros;
    this.progress = this.control.i32;
    this.progressAt = this.control.progressSlot(this.tile.id);
  }
  private readonly spinMicros: number;
  private resumes = 0;
  private epoch = 1; // the coordinator's number of the current run (for the idle flag)

  /** Publishes that this thread is making progress (a plain store: see PROGRESS_BEATS). */
  beat(): void {
    this.progress[this.progressAt + PROGRESS_BEATS]++;
  }

  /** Local index of a global core index inside this tile. */
  private local(global: number): number {
    const x = global % this.mesh.cols;
    return this.localAt(x, (global - x) / this.mesh.cols);
  }
  /** Local index of core (x, y) of this tile. */
  private localAt(x: number, y: number): number {
    return (y - this.tile.y0) * this.tile.width + (x - this.tile.x0);
  }
  private globalIndex(i: number): number {
    const c = this.cores[i];
    return c.y * this.mesh.cols + c.x;
  }

  serCycles(n: number): number {
    return serialisationCycles(this.machine, n);
  }

  // ---- memory ----

  /** Frees a named buffer on every core of the tile. */
  releaseAll(name: string): void {
    for (let i = 0; i < this.n; i++) this.memory.release(i, name);
  }
  placeGlobal(global: number, name: string, data: Float32Array): void {
    this.memory.place(this.local(global), name, data);
  }
  gatherAll(name: string): { cores: number[]; data: Float32Array[] } {
    const cores: number[] = [];
    const data: Float32Array[] = [];
    for (let i = 0; i < this.n; i++) {
      const b = this.memory.get(i, name);
      if (b !== undefined) {
        cores.push(this.globalIndex(i));
        data.push(b);
      }
    }
    return { cores, data };
  }

  // ---- delivery ----

  /**
   * Sends `data` (the sender's vector) to core (x, y): handed over at once inside the tile, as a copy (the
   * sender may change its vector afterwards) unless the sender `given` it up; written to the owner's ring
   * otherwise.
   */
  post(x: number, y: number, color: number, hops: number, start: number, data: Float32Array, given: boolean): void {
    const dst = y * this.mesh.cols + x;
    const owner = this.owner[dst];
    if (owner === this.tile.id) this.deliver(this.localAt(x, y), color, hops, start, given ? data : this.arena.copy(data));
    else this.links.send(owner, dst, color, hops, start, data);
  }

  /** A message (its payload now owned by the receiver) reaches local core i: received at once if it waits on that route. */
  private deliver(i: number, color: number, hops: number, start: number, payload: Float32Array): void {
    const req = this.waitReq[i];
    if (req >= 0 && (req & COLOR_MASK) === color) {
      this.waitReq[i] = -1;
      this.inbox[i] = this.receive(i, hops, start, color, payload, (req & STREAM_FLAG) !== 0);
      this.enqueue(i);
      return;
    }
    this.mailbox.push(i, color, hops, start, payload);
    // After the tile's cores have ended, anything that arrives is a stray: publish the count before the
    // ring's read count moves (the coordinator reads both once every sent message has been read).
    if (this.finished === this.n) this.control.setStrays(this.tile.id, this.mailbox.count);
  }

  /**
   * Modeled arrival of a message at its core. The head reaches the router after α per hop; the
   * router-to-core link then delivers messages one at a time, in the order the program receives them.
   * A whole receive waits for the tail; a streaming receive proceeds β after the head.
   */
  private receive(i: number, hops: number, sent: number, color: number, payload: Float32Array, streaming: boolean): Float32Array {
    const spec = this.machine;
    const n = payload.length;
    const ser = this.serCycles(n);
    // Flow control: a route holds one message at a time. The next one cannot leave its sender before this
    // core took the previous one off that route and the credit travelled back (α per hop).
    const key = i * 32 + color;
    const credit = this.lastTaken[key] + spec.alphaCyclesPerHop * hops;
    const start = sent > credit ? sent : credit;
    const head = start + spec.alphaCyclesPerHop * hops + spec.messageCycles;
    const st = this.state;
    const b = i * CORE_STRIDE;
    const free = st[b + INGRESS_FREE];
    const ingressStart = head > free ? head : free;
    st[b + INGRESS_FREE] = ingressStart + ser;
    let ready: number;
    if (streaming) {
      ready = ingressStart + spec.relay.streamCycles;
      st[b + STREAMED] = 1;
    } else {
      ready = ingressStart + ser;
    }
    const before = st[b + CLOCK];
    if (ready > before) {
      st[b + WAIT] += ready - before;
      st[b + CLOCK] = ready;
      if (this.ledger !== null) this.ledger.add(i, KIND_WAIT, ready - before);
    }
    if (this.recorder !== null) this.recorder.recv(i, color, before, st[b + CLOCK], n);
    this.lastTaken[key] = st[b + CLOCK];
    st[b + RECV_MESSAGES] += 1;
    st[b + RECV_WORDS] += n;
    return payload;
  }

  private enqueue(i: number): void {
    let slot = this.qHead + this.qLen;
    if (slot >= this.n) slot -= this.n;
    this.runQueue[slot] = i;
    this.qLen++;
  }

  // ---- scheduling ----

  /** Runs `program` on every core of the tile until all finish, or the run is aborted. */
  run(program: CoreProgram, args: unknown, epoch = 1): TileRunResult {
    this.epoch = epoch;
    const t0 = this.wall.start();
    // Publish the run as started: from now on the coordinator expects beats (or the idle flag) from this thread.
    this.progress[this.progressAt + PROGRESS_EPOCH] = epoch;
    const result = this.runCores(this.fault?.wrap(program, epoch) ?? program, args);
    this.progress[this.progressAt + PROGRESS_RUNNING] = 0;
    this.progress[this.progressAt + PROGRESS_EPOCH] = 0; // its cores are done: nothing left that could hang
    this.wall.end(t0, result.kind === 'done' ? result.summary : null);
    return result;
  }

  private runCores(program: CoreProgram, args: unknown): TileRunResult {
    this.resetRun();
    for (let i = 0; i < this.n; i++) {
      try {
        this.gens[i] = program(this.cores[i], args);
      } catch (err) {
        // A program that throws before its first yield (e.g. a plain function validating its arguments).
        this.fail(i, err);
        return { kind: 'failed', failure: this.failure! };
      }
      this.enqueue(i);
    }
    const me = this.tile.id;
    let steps = 0;
    for (;;) {
      while (this.qLen > 0) {
        const i = this.runQueue[this.qHead];
        if (++this.qHead === this.n) this.qHead = 0;
        this.qLen--;
        if (!this.resume(i)) return { kind: 'failed', failure: this.failure! };
        if (++steps % STEPS_BETWEEN_POLLS === 0) {
          this.beat();
          if (this.control.abort !== ABORT_NONE) return this.aborted();
          this.exchange();
        }
      }
      this.resumes += steps;
      steps = 0;
      this.progress[this.progressAt + PROGRESS_RUNNING] = 0;
      this.beat();
      // Read the doorbell before flushing: a reader that frees ring space after our refused write rings it,
      // and that wake-up must not be lost.
      const seen = this.control.doorbell(me);
      this.flushLinks();
      if (this.finished === this.n && this.links.empty()) {
        this.control.setStrays(me, this.mailbox.count);
        return { kind: 'done', summary: this.summary() };
      }
      if (this.control.abort !== ABORT_NONE) return this.aborted();
      if (this.drainLinks() > 0 || this.qLen > 0) continue;
      const w0 = this.wall.now();
      if (this.spinMicros > 0 && this.spin(me, seen)) {
        this.wall.idled(w0);
        continue;
      }
      // Going to sleep: raise the flag, then look at the rings once more (a writer that missed the flag wrote
      // before we look), then wait for the doorbell.
      this.control.setSleeping(me, true);
      if (this.links.drain() > 0) {
        this.control.setSleeping(me, false);
        this.wall.idled(w0);
        continue;
      }
      const idle = this.links.empty();
      if (idle) this.control.setIdle(me, this.epoch);
      this.idleWaits++;
      const s0 = this.wall.sleeping();
      if (this.control.waitDoorbell(me, seen, IDLE_WAIT_MS) === 'timed-out') this.idleTimeouts++;
      this.wall.slept(s0);
      if (idle) this.control.setIdle(me, 0);
      this.control.setSleeping(me, false);
      this.wall.idled(w0);
    }
  }

  /** Writes queued cross-tile messages and takes the arrived ones (timed when profiling wall time). */
  private exchange(): void {
    this.flushLinks();
    this.drainLinks();
  }
  private flushLinks(): void {
    if (!this.wall.on) return this.links.flush();
    const t = performance.now();
    this.links.flush();
    this.wall.rings(t);
  }
  private drainLinks(): number {
    if (!this.wall.on) return this.links.drain();
    const t = performance.now();
    const n = this.links.drain();
    this.wall.rings(t);
    return n;
  }

  /**
   * `spinMicros` (by default on when threads do not outnumber cores): poll the rings and the doorbell for a few
   * microseconds before sleeping. Trades a busy core for the wake-up latency of Atomics.wait, which dominates
   * tightly coupled kernels split over threads.
   */
  private spin(me: number, seen: number): boolean {
    const until = performance.now() + this.spinMicros / 1000;
    while (performance.now() < until) {
      // Rings are written at send time; a writer busy with its own cores rings the doorbell only every
      // STEPS_BETWEEN_POLLS resumes, so look at the rings themselves too.
      if (this.control.doorbell(me) !== seen || this.links.drain() > 0 || this.qLen > 0) return true;
    }
    return false;
  }

  /**
   * Resumes core i until it waits on a message that has not arrived, or ends. False if it threw. A sub-program
   * the core yields runs in place of its caller until it returns; then the caller resumes with its value. An
   * error a sub-program throws is thrown into its caller at its `yield`, as `yield*` would, and fails the core
   * only if no caller catches it.
   */
  private resume(i: number): boolean {
    this.progress[this.progressAt + PROGRESS_RUNNING] = i + 1;
    let gen = this.gens[i]!;
    let value: unknown = this.inbox[i];
    this.inbox[i] = undefined;
    let thrown = false;
    try {
      for (;;) {
        let r;
        try {
          r = thrown ? gen.throw(value) : gen.next(value as Float32Array);
          thrown = false;
        } catch (err) {
          const caller = this.callers[i]?.pop();
          if (caller === undefined) throw err;
          gen = caller;
          value = err;
          thrown = true;
          continue;
        }
        if (r.done) {
          const caller = this.callers[i]?.pop();
          if (caller !== undefined) {
            gen = caller;
            value = r.value;
            continue;
          }
          this.gens[i] = null;
          this.finished++;
          return true;
        }
        const req = r.value;
        if (typeof req !== 'number') {
          if (typeof req !== 'object' || req === null || typeof req.next !== 'function') throw new TypeError(`a core program yielded ${String(req)}: yield core.recv(colour), core.stream(colour) or a sub-program (a generator)`);
          (this.callers[i] ??= []).push(gen);
          gen = req;
          value = undefined;
          continue;
        }
        const color = req & COLOR_MASK;
        const mb = this.mailbox;
        const slot = mb.take(i, color);
        if (slot < 0) {
          this.gens[i] = gen;
          this.waitReq[i] = req;
          return true;
        }
        value = this.receive(i, mb.slotHops(slot), mb.slotStart(slot), color, mb.slotPayload(slot), (req & STREAM_FLAG) !== 0);
        mb.release(slot);
      }
    } catch (err) {
      this.fail(i, err);
      return false;
    }
  }

  private fail(i: number, err: unknown): void {
    const c = this.cores[i];
    const e = err as Error & { code?: string };
    this.failure = { x: c.x, y: c.y, tile: this.tile.id, message: e?.message ?? String(err), code: e?.code, stack: e?.stack };
    this.control.raiseAbort(ABORT_FAILED);
  }

  /**
   * After this tile's cores have all ended: keeps taking messages off the inbound rings (any that arrive now
   * are strays, sent to cores that already ended) until the coordinator declares run `epoch` over, so a
   * sender in another tile never stays blocked on a full ring.
   */
  drainUntilRunEnds(epoch: number): void {
    const me = this.tile.id;
    for (;;) {
      // Doorbell first: the coordinator sets the end flag and then rings, so either we see the flag now
      // or the ring moves the doorbell past `seen` and the wait below returns at once.
      const seen = this.control.doorbell(me);
      const ended = this.control.runEnded(epoch);
      if (ended || this.control.abort !== ABORT_NONE) return;
      this.links.drain();
      this.control.setSleeping(me, true);
      if (this.links.drain() === 0) {
        this.control.setIdle(me, epoch);
        this.control.waitDoorbell(me, seen, IDLE_WAIT_MS);
        this.control.setIdle(me, 0);
      }
      this.control.setSleeping(me, false);
    }
  }

  /** Messages that reached a core of this tile and were never received (at the end of a run). */
  strays(): { count: number; cores: string[] } {
    const cores: string[] = [];
    for (let i = 0; i < this.n && cores.length < 4; i++) {
      const p = this.mailbox.pendingOf(i);
      if (p.count > 0) cores.push(`${coreName(this.cores[i].x, this.cores[i].y)} (${p.count} on colour ${p.color})`);
    }
    return { count: this.mailbox.count, cores };
  }

  private resetRun(): void {
    resetCoreState(this.state);
    this.waitReq.fill(-1);
    this.lastTaken.fill(Number.NEGATIVE_INFINITY);
    this.traffic.reset();
    this.inbox.fill(undefined);
    for (const c of this.callers) if (c !== undefined) c.length = 0; // a failed run may leave sub-programs suspended
    // A successful run leaves no message behind, but a tile still draining the last run's rings may already
    // have taken messages of this one: they stay, with their payloads moved out of the arena it reuses.
    this.mailbox.detachPayloads();
    this.arena.reset();
    this.control.setStrays(this.tile.id, 0);
    this.memory.resetPeaks();
    this.ledger?.reset();
    this.recorder?.reset(this.memory.usedBytes);
    this.qHead = 0;
    this.qLen = 0;
    this.finished = 0;
    this.idleWaits = 0;
    this.idleTimeouts = 0;
    this.resumes = 0;
    this.failure = null;
  }

  private aborted(): TileRunResult {
    const waiting: WaitingCore[] = [];
    let waitingCount = 0;
    for (let i = 0; i < this.n; i++) {
      const req = this.waitReq[i];
      if (req < 0) continue;
      waitingCount++;
      if (waiting.length < 16) waiting.push({ x: this.cores[i].x, y: this.cores[i].y, color: req & COLOR_MASK });
    }
    return { kind: 'aborted', reason: this.control.abort, waiting, waitingCount };
  }

  private summary(): RunSummary {
    let maxClock = 0;
    let messages = 0;
    let words = 0;
    let peak = 0;
    let overflow = 0;
    for (let i = 0; i < this.n; i++) {
      const b = i * CORE_STRIDE;
      if (this.state[b + CLOCK] > maxClock) maxClock = this.state[b + CLOCK];
      messages += this.state[b + SENT_MESSAGES];
      words += this.state[b + SENT_WORDS];
      const p = this.memory.peakBytes[i];
      if (p > peak) peak = p;
      if (p > this.machine.sramBytesPerCore) overflow++;
    }
    const summary: RunSummary = { maxClock, messages, words, maxHops: this.traffic.maxHops, sramPeakBytes: peak, sramOverflowCores: overflow, idleWaits: this.idleWaits, idleTimeouts: this.idleTimeouts, resumes: this.resumes, colorMessages: Array.from(this.traffic.colorMessages), colorWords: Array.from(this.traffic.colorWords), colorMaxHops: Array.from(this.traffic.colorMaxHops) };
    const clocks = this.ledger !== null || this.recorder !== null ? coreField(this.state, this.n, CLOCK) : null;
    if (this.ledger !== null) summary.critical = this.ledger.critical(clocks!, (i) => this.globalIndex(i));
    if (this.returnCounters) summary.counters = this.counters();
    if (this.recorder !== null) summary.trace = this.recorder.collect(clocks!);
    return summary;
  }

  counters(): TileCounters {
    return {
      tile: this.tile.id,
      clock: coreField(this.state, this.n, COUNTER_FIELDS.clock),
      busyCycles: coreField(this.state, this.n, COUNTER_FIELDS.busyCycles),
      waitCycles: coreField(this.state, this.n, COUNTER_FIELDS.waitCycles),
      sentWords: coreField(this.state, this.n, COUNTER_FIELDS.sentWords),
      recvWords: coreField(this.state, this.n, COUNTER_FIELDS.recvWords),
      sentMessages: coreField(this.state, this.n, COUNTER_FIELDS.sentMessages),
      recvMessages: coreField(this.state, this.n, COUNTER_FIELDS.recvMessages),
      sramPeakBytes: this.memory.peakBytes,
      linkMessages: this.traffic.linkMessages,
      linkWords: this.traffic.linkWords,
      linkBusyCycles: this.traffic.linkBusy,
      ...(this.ledger === null ? {} : { phaseCycles: this.ledger.cycles, phaseStride: this.ledger.stride }),
    };
  }
}
