// The coordinator side of the emulator: partitions the mesh into tiles, starts them (worker threads here, or
// tile hosts over ZeroMQ with `hosts`), places data, runs core programs and gathers results.

import { availableParallelism } from 'node:os';
import { coreName, partitionTiles, tileCoreName, tileCores, WaferError } from '@wafer/arch';
import type { ErrorCode, MachineSpec, MeshShape, Tile, TileShape } from '@wafer/arch';
import { ABORT_DEADLOCK } from '../shared-state.js';
import type { Command, CriticalCore, ObserveOptions, ProgramRef, Reply, RunSummary, TileCounters, TileTrace, TileWall, WaitingCore, WallIntervals } from '../protocol.js';
import { mergeCounters, type MeshCounters } from './counters.js';
import { AUTO_SPIN_MICROS, DEFAULT_STALL_MS, LocalTiles } from './local-tiles.js';
import { checkWindow, mergeTraces, pickCritical } from './observed.js';
import { checkHostMemory, fabricHostBytes } from './host-memory.js';
import type { CrossHostTraffic, TileBackend } from './tile-backend.js';
import type { HostsOptions } from '../hosts/host-options.js';
import { RemoteTiles } from '../hosts/remote-tiles.js';

export { AUTO_SPIN_MICROS, DEFAULT_STALL_MS };

/** Minimal logger interface (pino's). */
export interface FabricLogger {
  debug(obj: object, msg?: string): void;
}

export interface FabricOptions {
  machine: MachineSpec;
  mesh: MeshShape;
  threads: number;
  /** Report SRAM overflow instead of failing (`--sram unlimited`). */
  sramUnlimited?: boolean;
  /** Bytes per cross-tile ring (default 256 KiB; larger messages are fragmented). */
  ringBytes?: number;
  /** How the mesh is cut into tiles (default 'square'); see partitionTiles. */
  tileShape?: TileShape;
  /**
   * Microseconds an idle tile thread polls for messages before sleeping. Default: AUTO_SPIN_MICROS when the
   * threads fit the machine's cores (polling then costs nothing another thread needed), else 0.
   */
  spinMicros?: number;
  /** Measure where each run's wall time goes on every thread (RunReport.wall). */
  profileWall?: boolean;
  /** Fail a run whose route tables exceed the machine's routing budget (default true). */
  enforceRouteBudget?: boolean;
  /**
   * Run the tiles on tile hosts (`wafer host`) instead of this process's threads: one band of the mesh per
   * host, each cut into its own threads' tiles (`threads` is then ignored). Results are bit-identical.
   */
  hosts?: HostsOptions;
  /** Phases, per-run counters, traces (docs/fabric.md, "Observing a run"); all off by default. */
  observe?: ObserveOptions;
  /**
   * Wall milliseconds a worker may run without reaching a scheduling point or charging compute before the
   * run fails with CORE_HUNG naming the core (a core program that never yields); default 1000, 0: never.
   */
  stallMs?: number;
  logger?: FabricLogger;
}

/** What one run did, in modeled and wall-clock terms. */
export interface RunReport {
  modeledCycles: number; // the largest core clock at the end of the run
  messages: number;
  words: number;
  maxHopsPerTransfer: number;
  maxRoutesPerRouter: number;
  busiestRouter: { x: number; y: number } | null;
  sramPeakBytesPerCore: number;
  sramOverflowCores: number;
  wallMs: number;
  /** Wall-clock diagnostics: how often tile threads slept waiting for each other (and timed out doing so). */
  idleWaits: number;
  idleTimeouts: number;
  /** Generator resumes of every core (the scheduler's work). */
  resumes: number;
  /** With `profileWall`: per thread, where its wall time went. */
  wall?: TileWall[];
  /** Per route colour (0..31): messages, values sent, longest route. */
  colorMessages: number[];
  colorWords: number[];
  colorMaxHops: number[];
  /** With `hosts`: what crossed between tile hosts. */
  crossHost?: CrossHostTraffic;
  /** With observe.phases: the core whose clock ended last (the run's modeled cycles) and its cycles per phase. */
  phases?: CriticalCore;
  /** With observe.phases or observe.counters: this run's counters (phaseCycles with phases). */
  counters?: MeshCounters;
  /** With observe.trace: the traced cores' events, in global core order. */
  trace?: TileTrace;
  /** With observe.wallTrace: the coordinator's [start, end] of the run and each thread's intervals (ms since the epoch). */
  wallTrace?: { coordinator: [number, number]; threads: WallIntervals[] };
}

/** Every fabric of this process that is neither closed nor destroyed (for destroyAllFabrics). */
const liveFabrics = new Set<Fabric>();

/**
 * Destroys every live fabric of this process, terminating its worker threads: what the CLI does when SIGINT
 * or SIGTERM interrupts a command (whatever the command was doing with them).
 */
export async function destroyAllFabrics(): Promise<void> {
  await Promise.allSettled([...liveFabrics].map((f) => f.destroy()));
}

/** Worker threads of this process's live fabrics (0 once every fabric is closed or destroyed; tile hosts' threads are theirs). */
export function liveFabricThreads(): number {
  let n = 0;
  for (const f of liveFabrics) if (f.options.hosts === undefined) n += f.liveThreads;
  return n;
}


export class Fabric {
  readonly tiles: Tile[];
  private failed: WaferError | null = null;
  private closed = false;

  private constructor(
    readonly options: Required<Omit<FabricOptions, 'logger' | 'hosts'>> & { logger?: FabricLogger; hosts?: HostsOptions },
    tiles: Tile[],
    private readonly backend: TileBackend,
  ) {
    this.tiles = tiles;
    liveFabrics.add(this);
  }

  get machine(): MachineSpec { return this.options.machine; }
  /** Worker threads still alive (0 once the fabric is closed or destroyed). */
  get liveThreads(): number { return this.backend.liveThreads; }
  get mesh(): MeshShape { return this.options.mesh; }
  get threads(): number { return this.tiles.length; }

  /** Partitions the mesh, starts the tile workers (or connects to the tile hosts) and connects them. */
  static async start(opts: FabricOptions): Promise<Fabric> {
    const { mesh, machine } = opts;
    if (mesh.rows > machine.mesh.maxRows || mesh.cols > machine.mesh.maxCols) {
      throw new WaferError('USAGE', `--mesh ${mesh.rows}x${mesh.cols} is larger than machine ${machine.name}'s ${machine.mesh.maxRows}x${machine.mesh.maxCols} cores`);
    }
    if (opts.observe?.trace !== undefined) checkWindow(opts.observe.trace, mesh);
    const defaults = { sramUnlimited: false, ringBytes: 256 * 1024, enforceRouteBudget: true, tileShape: 'square' as TileShape, profileWall: false, observe: {}, stallMs: DEFAULT_STALL_MS };
    if (opts.hosts !== undefined) {
      let fabric: Fabric | undefined;
      const remote = await RemoteTiles.connect({ ...defaults, ...opts, observe: opts.observe ?? {}, stallMs: opts.stallMs ?? DEFAULT_STALL_MS, hosts: opts.hosts }, (err) => fabric?.fail(err));
      // spinMicros -1: each host applies the auto rule to its own threads.
      fabric = new Fabric({ ...defaults, ...opts, observe: opts.observe ?? {}, stallMs: opts.stallMs ?? DEFAULT_STALL_MS, threads: remote.tiles.length, spinMicros: opts.spinMicros ?? -1 }, remote.tiles, remote);
      opts.logger?.debug({ mesh, hosts: opts.hosts.addresses.length, tiles: remote.tiles.length, machine: machine.name }, 'fabric started on hosts');
      return fabric;
    }
    const tiles = partitionTiles(mesh, opts.threads, opts.tileShape ?? 'square');
    checkHostMemory(fabricHostBytes(mesh, tiles.length), `a ${mesh.rows}x${mesh.cols} fabric on ${tiles.length} threads`);
    const spinMicros = opts.spinMicros ?? (tiles.length <= availableParallelism() ? AUTO_SPIN_MICROS : 0);
    const options = { ...defaults, ...opts, observe: opts.observe ?? {}, stallMs: opts.stallMs ?? DEFAULT_STALL_MS, spinMicros };
    // The callbacks fire from the event loop, after the fabric exists.
    let fabric: Fabric | undefined;
    const local = LocalTiles.start({ ...options, tiles, local: tiles.map((t) => t.id) }, (t, err, running) => fabric?.workerDied(t, err, running), (err) => fabric?.fail(err));
    fabric = new Fabric(options, tiles, local);
    opts.logger?.debug({ mesh, threads: tiles.length, rings: local.bridged.length, machine: machine.name }, 'fabric started');
    return fabric;
  }

  private request(t: number, cmd: Command): Promise<Reply> {
    return this.backend.request(t, cmd);
  }

  private async broadcast(cmd: (t: number) => Command | null): Promise<Reply[]> {
    this.ensureUsable();
    const replies = await this.orFailure(
      Promise.all(this.tiles.map((tile) => {
        const c = cmd(tile.id);
        return c === null ? Promise.resolve<Reply>({ type: 'ok' }) : this.request(tile.id, c);
      })),
    );
    for (const r of replies) if (r.type === 'error') throw new WaferError((r.code as ErrorCode) ?? 'INTERNAL', r.message);
    return replies;
  }

  /** Places one block per core (undefined: nothing on that core). Not charged as mesh traffic. */
  async place(name: string, block: (x: number, y: number) => Float32Array | undefined): Promise<void> {
    await this.broadcast((t) => {
      const tile = this.tiles[t];
      const cores: number[] = [];
      const data: Float32Array[] = [];
      for (let y = tile.y0; y < tile.y0 + tile.height; y++) {
        for (let x = tile.x0; x < tile.x0 + tile.width; x++) {
          const b = block(x, y);
          if (b !== undefined) {
            cores.push(y * this.mesh.cols + x);
            data.push(b);
          }
        }
      }
      return cores.length === 0 ? null : { type: 'place', name, cores, data };
    });
  }

  /** Frees a named buffer on every core. */
  async free(name: string): Promise<void> {
    await this.broadcast(() => ({ type: 'free', name }));
  }

  /** Collects a named buffer from every core that has it, indexed by global core index (y * cols + x). */
  async gather(name: string): Promise<(Float32Array | undefined)[]> {
    const out: (Float32Array | undefined)[] = new Array(this.mesh.rows * this.mesh.cols);
    for (const r of await this.broadcast(() => ({ type: 'gather', name }))) {
      if (r.type === 'data') r.cores.forEach((c, k) => { out[c] = r.data[k]; });
    }
    return out;
  }

  /** Per-core and per-link counters of the last run, in global order. */
  async counters(): Promise<MeshCounters> {
    const parts: TileCounters[] = [];
    for (const r of await this.broadcast(() => ({ type: 'counters' }))) if (r.type === 'counters') parts.push(r.counters);
    return mergeCounters(this.mesh, this.tiles, parts);
  }

  /** Runs a core program on every core; resolves when all cores finish. */
  async run(program: ProgramRef, args: unknown = {}): Promise<RunReport> {
    return (await this.runAndGather(program, args, [])).report;
  }

  /**
   * Runs a core program, then collects the named buffers in the same exchange with each worker (one round
   * trip per run instead of one more per buffer): each as `gather` returns it.
   */
  async runAndGather(program: ProgramRef, args: unknown, names: string[]): Promise<{ report: RunReport; gathered: Record<string, (Float32Array | undefined)[]> }> {
    this.ensureUsable();
    const t0 = performance.now();
    const epochStartMs = performance.timeOrigin + t0;
    const epoch = this.backend.beginRun();
    const cmd = { type: 'run' as const, program, args, epoch, gather: names.length > 0 ? names : undefined };
    const runReplies = await this.orFailure(this.backend.runAll(cmd));
    const failure = this.runFailure(runReplies);
    if (failure !== null) {
      await this.destroy();
      throw failure;
    }
    // Every tile has finished and written all it sent: once every written message has been read, each tile's
    // stray count is final. Then the tiles still draining their rings may stop.
    const { unread: inRings, strays } = await this.orFailure(this.backend.settle(epoch));
    if (strays > 0 || inRings !== 0) {
      const drained = await this.broadcast(() => ({ type: 'strays' }));
      const where = drained.flatMap((r) => (r.type === 'drained' ? r.strayCores : [])).slice(0, 4).join(', ');
      await this.destroy();
      throw new WaferError('INTERNAL', `run ended with ${strays + inRings} message(s) sent but never received${where ? ` (${where})` : ''}: a core program sent more than its peers receive`);
    }
    const summaries = runReplies.map((r) => (r as { summary: RunSummary }).summary);
    const routes = this.backend.routes();
    const report: RunReport = {
      modeledCycles: Math.max(...summaries.map((s) => s.maxClock)),
      messages: summaries.reduce((a, s) => a + s.messages, 0),
      words: summaries.reduce((a, s) => a + s.words, 0),
      maxHopsPerTransfer: Math.max(...summaries.map((s) => s.maxHops)),
      maxRoutesPerRouter: routes.max,
      busiestRouter: routes.busiest,
      sramPeakBytesPerCore: Math.max(...summaries.map((s) => s.sramPeakBytes)),
      sramOverflowCores: summaries.reduce((a, s) => a + s.sramOverflowCores, 0),
      wallMs: performance.now() - t0,
      idleWaits: summaries.reduce((a, s) => a + s.idleWaits, 0),
      idleTimeouts: summaries.reduce((a, s) => a + s.idleTimeouts, 0),
      resumes: summaries.reduce((a, s) => a + s.resumes, 0),
      wall: summaries[0].wall === undefined ? undefined : summaries.map((s) => s.wall!),
      colorMessages: sumColumns(summaries.map((s) => s.colorMessages)),
      colorWords: sumColumns(summaries.map((s) => s.colorWords)),
      colorMaxHops: summaries.reduce((a, s) => a.map((v, c) => Math.max(v, s.colorMaxHops[c])), new Array<number>(32).fill(0)),
      crossHost: this.backend.crossHost(),
    };
    this.observed(report, summaries, epochStartMs);
    if (routes.conflict !== null) {
      const c = routes.conflict;
      const where = c.out === 'core' ? 'to its core' : `out to ${c.out}`;
      throw new WaferError('ROUTE_CONFLICT', `router(${c.x},${c.y}) sends colour ${c.color} ${where} from both ${c.ports.join(' and ')}: two flows share a route id, so their receiver cannot tell them apart`);
    }
    const budget = this.machine.routing.routesPerRouter;
    if (this.options.enforceRouteBudget && routes.max > budget) {
      const b = routes.busiest!;
      throw new WaferError('ROUTE_BUDGET', `router(${b.x},${b.y}) needs ${routes.max} route-table entries, over machine ${this.machine.name}'s budget of ${budget} per router`);
    }
    const gathered: Record<string, (Float32Array | undefined)[]> = {};
    for (const name of names) gathered[name] = new Array(this.mesh.rows * this.mesh.cols);
    for (const r of runReplies) {
      if (r.type !== 'done' || r.gathered === undefined) continue;
      for (const g of r.gathered) g.cores.forEach((c, k) => { gathered[g.name][c] = g.data[k]; });
    }
    return { report, gathered };
  }

  /** Adds what observe asked for to a run's report, from the tiles' summaries. */
  private observed(report: RunReport, summaries: RunSummary[], epochStartMs: number): void {
    if (summaries[0].critical !== undefined) report.phases = pickCritical(summaries.map((s) => s.critical!));
    if (summaries[0].counters !== undefined) report.counters = mergeCounters(this.mesh, this.tiles, summaries.map((s) => s.counters!));
    const traces = summaries.filter((s) => s.trace !== undefined).map((s) => s.trace!);
    if (this.options.observe.trace !== undefined) report.trace = mergeTraces(traces);
    if (summaries[0].wallTrace !== undefined) report.wallTrace = { coordinator: [epochStartMs, performance.timeOrigin + performance.now()], threads: summaries.map((s) => s.wallTrace!) };
  }

  private runFailure(replies: Reply[]): WaferError | null {
    const failed = replies.find((r) => r.type === 'failed');
    if (failed?.type === 'failed') {
      const f = failed.failure;
      const code = (f.code as ErrorCode | undefined) ?? 'CORE_FAILED';
      const err = new WaferError(code === 'INTERNAL' ? 'CORE_FAILED' : code, `${coreName(f.x, f.y)} on tile ${f.tile} failed: ${f.message}`);
      if (f.stack) err.stack = f.stack;
      return err;
    }
    const aborted = replies.filter((r) => r.type === 'aborted') as Extract<Reply, { type: 'aborted' }>[];
    if (aborted.length > 0 && aborted[0].reason === ABORT_DEADLOCK) {
      const waiting: WaitingCore[] = aborted.flatMap((a) => a.waiting);
      const count = aborted.reduce((s, a) => s + a.waitingCount, 0);
      const list = waiting.slice(0, 8).map((w) => `${coreName(w.x, w.y)} on colour ${w.color}`).join(', ');
      return new WaferError('DEADLOCK', `deadlock: ${count} core(s) wait for messages that never come: ${list}${count > 8 ? ', …' : ''}`);
    }
    const error = replies.find((r) => r.type === 'error');
    if (error?.type === 'error') return new WaferError((error.code as ErrorCode) ?? 'INTERNAL', error.message);
    if (aborted.length > 0) return this.failed ?? new WaferError('WORKER_FAILED', 'run aborted');
    return null;
  }

  /** Rejecters of the requests in flight: a dying worker rejects them all. */
  private readonly inFlight = new Set<(e: WaferError) => void>();

  /**
   * `work`'s outcome, or the worker failure if one comes first. Not a Promise.race against one long-lived
   * failure promise: each race leaves a reaction on that never-settling promise, which keeps the call's
   * result (gathered logits, replies) alive for the fabric's lifetime, about 3.5 KB per run.
   */
  private orFailure<T>(work: Promise<T>): Promise<T> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise<T>((resolve, reject) => {
      this.inFlight.add(reject);
      work.then(
        (value) => {
          this.inFlight.delete(reject);
          resolve(value);
        },
        (err: unknown) => {
          this.inFlight.delete(reject);
          reject(err);
        },
      );
    });
  }

  /** A worker thread of this process died; `running` is the local index of the core it was resuming (-1: none). */
  private workerDied(t: number, err: unknown, running = -1): void {
    const msg = err instanceof Error ? err.message : String(err);
    const tile = this.tiles[t];
    const during = running >= 0 ? ` while ${tileCoreName(tile, running)} was running` : '';
    this.fail(new WaferError('WORKER_FAILED', `worker of tile ${t} (${tileCores(tile)}) died${during}: ${msg}`));
  }

  /** A worker, a core that never yields, or a tile host: every request fails with `err`, and the fabric is torn down. */
  private fail(err: WaferError): void {
    if (this.closed || this.failed) return;
    this.failed = err;
    for (const reject of this.inFlight) reject(err);
    this.inFlight.clear();
    void this.destroy();
  }

  private ensureUsable(): void {
    if (this.failed) throw this.failed;
    if (this.closed) throw new WaferError('INTERNAL', 'the fabric is closed');
  }

  /**
   * Graceful: every tile task finishes, then the threads (and with hosts, their sessions) end. A second call
   * waits for the first. A worker or host that fails meanwhile tears the fabric down, and close rejects with it.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }
  private closing: Promise<void> | null = null;

  private async shutDown(): Promise<void> {
    if (this.closed) return;
    if (this.failed || this.backend.aborting) return this.destroy();
    try {
      await this.orFailure(this.backend.close());
    } catch (err) {
      if (this.destroying !== null && this.failed === null) return; // destroyed meanwhile: nothing is left to close
      await this.destroy();
      throw err;
    }
    this.closed = true;
    liveFabrics.delete(this);
  }

  /** Immediate: terminates every worker thread (on every host); a second call waits for the first. */
  destroy(): Promise<void> {
    this.destroying ??= this.terminate();
    return this.destroying;
  }
  private destroying: Promise<void> | null = null;

  private async terminate(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Requests in flight (a graceful close's shutdown, a run) would wait forever on closed ports: end them.
    const destroyed = new WaferError('INTERNAL', 'the fabric was destroyed');
    for (const reject of this.inFlight) reject(destroyed);
    this.inFlight.clear();
    try {
      await this.backend.destroy();
    } finally {
      liveFabrics.delete(this);
    }
  }
}

function sumColumns(rows: number[][]): number[] {
  return rows.reduce((a, r) => a.map((v, c) => v + r[c]), new Array<number>(32).fill(0));
}
