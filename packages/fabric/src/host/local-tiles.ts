// The tiles of this process: one long-lived piscina task per tile, the SAB rings between them, the shared
// control memory and route table, the deadlock watchdog and the end-of-run settling of the rings. The
// single-process fabric runs every tile here; a tile host (hosts/tile-host.ts) runs its band's tiles here.

import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { tileCoreName, tileCores, WaferError, type MachineSpec, type MeshShape, type Tile } from '@wafer/arch';
import { createRingBuffer } from '../ring.js';
import { ABORT_DEADLOCK, ABORT_DESTROYED, ABORT_FAILED, ABORT_NONE, ControlState } from '../shared-state.js';
import { pack, unpack, type Command, type ObserveOptions, type Reply, type TileInit } from '../protocol.js';
import { tileWorkerEntry } from '../worker-entry.js';
import { countRoutes } from './route-table.js';
import type { CrossHostTraffic, RouteCount, RunCommand, TileBackend } from './tile-backend.js';

/** A ring between two tiles (`from` writes, `to` reads). */
export interface RingSpec {
  from: number;
  to: number;
  sab: SharedArrayBuffer;
}

export interface LocalTilesOptions {
  /** Every tile of the mesh (global ids). */
  tiles: Tile[];
  /** Ids of the tiles this process runs (all of them in a single-process fabric). */
  local: number[];
  mesh: MeshShape;
  machine: MachineSpec;
  sramUnlimited: boolean;
  ringBytes: number;
  spinMicros: number;
  profileWall: boolean;
  /** What the tiles record beside their counters (phases, per-run counters, traces). */
  observe: ObserveOptions;
  /** Wall ms a thread may go without a beat during a run before its core is declared hung (0: never). */
  stallMs: number;
}

/** Default polling before an idle tile thread sleeps, when threads do not outnumber cores (docs/fabric.md). */
export const AUTO_SPIN_MICROS = 50;
const WATCHDOG_MS = 50;
/** Default stall limit (FabricOptions.stallMs). */
export const DEFAULT_STALL_MS = 1000;
const SETTLE_MS = 5000;

/** True when two tiles share rows or columns: routes are straight lines, so only such tiles exchange messages. */
export function tilesMeet(a: Tile, b: Tile): boolean {
  const shareRows = a.y0 < b.y0 + b.height && b.y0 < a.y0 + a.height;
  const shareCols = a.x0 < b.x0 + b.width && b.x0 < a.x0 + a.width;
  return a.id !== b.id && (shareRows || shareCols);
}

export class LocalTiles implements TileBackend {
  /** Control memory with slots for every tile of the mesh (a remote tile's doorbell wakes the bridge). */
  readonly control: ControlState;
  readonly routeTable: Uint32Array;
  /** Rings with one end here and the other on another host: the bridge writes or reads their far end. */
  readonly bridged: RingSpec[];
  private readonly waiters = new Map<number, ((bytes: Uint8Array) => void)[]>();
  private closed = false;

  private constructor(
    readonly options: LocalTilesOptions,
    private readonly pool: Piscina,
    private readonly ports: Map<number, MessagePort>,
    private readonly tasks: Promise<unknown>[],
    control: ControlState,
    routeTableSab: SharedArrayBuffer,
    bridged: RingSpec[],
  ) {
    this.control = control;
    this.routeTable = new Uint32Array(routeTableSab);
    this.bridged = bridged;
    for (const [t, port] of ports) {
      const queue: ((bytes: Uint8Array) => void)[] = [];
      this.waiters.set(t, queue);
      port.on('message', (bytes: Uint8Array) => queue.shift()?.(bytes));
    }
  }

  /**
   * Starts one tile task per local tile and wires the rings. `onDeath` hears of a task that failed (and the
   * local index of the core its thread was resuming, -1 if none); `onHung` of a core that never yields.
   */
  static start(o: LocalTilesOptions, onDeath: (tile: number, err: unknown, running: number) => void, onHung: (err: WaferError) => void): LocalTiles {
    const { tiles, mesh, machine } = o;
    const local = new Set(o.local);
    const control = ControlState.create(tiles.length);
    const routeTableSab = new SharedArrayBuffer(mesh.rows * mesh.cols * 32 * 4);
    const rings: RingSpec[] = [];
    for (const a of tiles) {
      for (const b of tiles) {
        if ((local.has(a.id) || local.has(b.id)) && tilesMeet(a, b)) rings.push({ from: a.id, to: b.id, sab: createRingBuffer(o.ringBytes) });
      }
    }
    const pool = new Piscina({
      filename: tileWorkerEntry(),
      minThreads: local.size,
      maxThreads: local.size,
      concurrentTasksPerWorker: 1,
      idleTimeout: Number.POSITIVE_INFINITY,
      atomics: 'disabled',
    });
    const ports = new Map<number, MessagePort>();
    const tasks: Promise<unknown>[] = [];
    for (const id of o.local) {
      const { port1, port2 } = new MessageChannel();
      ports.set(id, port1);
      const init: TileInit = {
        tileId: id,
        tiles,
        mesh,
        machine,
        sramUnlimited: o.sramUnlimited,
        spinMicros: o.spinMicros,
        profileWall: o.profileWall,
        observe: o.observe,
        control: control.sab,
        routeTable: routeTableSab,
        rings: rings.filter((r) => r.from === id || r.to === id).map((r) => ({ ...r, remote: !local.has(r.from) || !local.has(r.to) })),
        port: port2,
      };
      const task = pool.run(init, { transferList: [port2] });
      task.catch((err: unknown) => {
        const running = control.progress(id).running;
        control.raiseAbort(ABORT_FAILED);
        onDeath(id, err, running);
      });
      tasks.push(task);
    }
    const bridged = rings.filter((r) => !local.has(r.from) || !local.has(r.to));
    const tilesHere = new LocalTiles(o, pool, ports, tasks, control, routeTableSab, bridged);
    tilesHere.onHung = onHung;
    return tilesHere;
  }
  private onHung: (err: WaferError) => void = () => undefined;

  /** Worker threads still alive. */
  get liveThreads(): number {
    return this.pool.threads.length;
  }

  /**
   * Sends packed command bytes to tile t; resolves with its packed reply (a tile host forwards both as they
   * are). `owned`: the bytes own their ArrayBuffer and may be transferred; otherwise they are copied.
   */
  requestBytes(t: number, bytes: Uint8Array, owned = false): Promise<Uint8Array> {
    return new Promise<Uint8Array>((resolve) => {
      this.waiters.get(t)!.push(resolve);
      const own = owned ? bytes : new Uint8Array(bytes);
      this.ports.get(t)!.postMessage(own, [own.buffer as ArrayBuffer]);
    });
  }

  async request(t: number, cmd: Command): Promise<Reply> {
    return unpack<Reply>(await this.requestBytes(t, pack(cmd), true));
  }

  /** Runs on every local tile with the deadlock watchdog on; replies in the order of `local`. */
  async runAll(cmd: RunCommand): Promise<Reply[]> {
    const done = new Set<number>();
    const stop = this.startWatchdog(done, cmd.epoch);
    // A failed run never settles these requests (destroy closes the ports): destroy stops the watchdog too.
    this.stopWatchdog = stop;
    try {
      return await Promise.all(this.options.local.map((t) => this.request(t, cmd).then((r) => {
        done.add(t);
        return r;
      })));
    } finally {
      stop();
    }
  }
  private stopWatchdog: () => void = () => undefined;

  routes(): RouteCount {
    return countRoutes(this.routeTable, this.options.mesh);
  }

  crossHost(): CrossHostTraffic | undefined {
    return undefined;
  }

  get aborting(): boolean {
    return this.control.abort !== ABORT_NONE;
  }

  /** Starts a run: clears the route table and returns the run's epoch. */
  beginRun(): number {
    this.routeTable.fill(0);
    return this.control.bumpRunEpoch();
  }

  /** Every local tile idle (or in `done`) in run `epoch`. */
  allIdle(epoch: number, done: Set<number>): boolean {
    for (const t of this.options.local) if (!done.has(t) && !this.control.isIdle(t, epoch)) return false;
    return true;
  }

  /** Ring traffic and doorbells of the local tiles: unchanged across two looks while idle means nothing moves. */
  signature(): string {
    const c = this.control;
    let sig = `${c.totalWritten()}/${c.totalRead()}`;
    for (const t of this.options.local) sig += `/${c.doorbell(t)}`;
    return sig;
  }

  /**
   * Every tile idle (or done) and nothing in flight across two looks: a deadlock. Returns the stop function.
   * Also watches for a core that never yields (stallWatch).
   */
  startWatchdog(done: Set<number>, epoch: number): () => void {
    let last = '';
    const stalled = this.stallWatch(done, epoch);
    const timer = setInterval(() => {
      if (this.closed) return clearInterval(timer);
      if (stalled()) return clearInterval(timer);
      if (!this.allIdle(epoch, done)) {
        last = '';
        return;
      }
      const sig = this.signature();
      if (this.control.totalWritten() === this.control.totalRead() && sig === last) this.control.raiseAbort(ABORT_DEADLOCK);
      last = sig;
    }, WATCHDOG_MS);
    return () => clearInterval(timer);
  }

  /**
   * A check, for a timer to call, of whether a thread that has started run `epoch` and is not idle (nor in
   * `done`) has gone `stallMs` without a beat: a core program that never yields holds its thread in user code,
   * where the polling points that would see an abort are never reached. Then `onHung` hears of it (CORE_HUNG,
   * naming the core and its tile) and the check returns true.
   */
  stallWatch(done: Set<number>, epoch: number): () => boolean {
    const local = this.options.local;
    const beats = new Array<number>(local.length).fill(-1);
    const since = new Array<number>(local.length).fill(0);
    let reported = false;
    return () => {
      if (reported || this.closed) return reported;
      const now = performance.now();
      for (let k = 0; k < local.length; k++) {
        const t = local[k];
        if (done.has(t) || this.control.isIdle(t, epoch)) {
          beats[k] = -1;
          continue;
        }
        const p = this.control.progress(t);
        if (p.epoch !== epoch || p.beats !== beats[k]) {
          beats[k] = p.epoch === epoch ? p.beats : -1;
          since[k] = now;
        } else if (this.options.stallMs > 0 && now - since[k] >= this.options.stallMs) {
          reported = true;
          this.onHung(this.hungError(t, p.running, now - since[k]));
          return true;
        }
      }
      return false;
    };
  }

  /** The CORE_HUNG error for tile t, whose core `running` (local index, -1: unknown) has held its thread for `ms`. */
  private hungError(t: number, running: number, ms: number): WaferError {
    const tile = this.options.tiles[t];
    const who = running >= 0
      ? `${tileCoreName(tile, running)} on tile ${t}`
      : `a core on tile ${t} (${tileCores(tile)})`;
    return new WaferError('CORE_HUNG', `${who} has run for ${(ms / 1000).toFixed(1)} s without yielding or computing: its program never yields (an endless loop?); the run was stopped`);
  }

  /**
   * After every tile finished run `epoch`: waits (up to SETTLE_MS) until the tiles have read every cross-tile
   * message written in it, then reads the strays and lets the tiles that still drain their rings stop.
   */
  async settle(epoch: number): Promise<{ unread: number; strays: number }> {
    const c = this.control;
    const t0 = performance.now();
    for (let spins = 0; c.totalWritten() !== c.totalRead(); spins++) {
      if (performance.now() - t0 > SETTLE_MS) break;
      await new Promise((r) => (spins < 100 ? setImmediate(r) : setTimeout(r, 1)));
    }
    const unread = c.totalWritten() - c.totalRead();
    const strays = c.totalStrays();
    c.endRun(epoch);
    return { unread, strays };
  }

  /** Graceful: every tile task finishes, then the threads exit. */
  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all(this.options.local.map((t) => this.request(t, { type: 'shutdown' })));
    this.closed = true;
    await Promise.allSettled(this.tasks);
    for (const p of this.ports.values()) p.close();
    await this.pool.close();
  }

  /** Immediate: terminates every worker thread. */
  async destroy(reason = ABORT_DESTROYED): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopWatchdog();
    this.control.raiseAbort(reason);
    for (const p of this.ports.values()) p.close();
    await this.pool.destroy();
  }
}
