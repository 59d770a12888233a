// The typed control protocol between the coordinator and the tile workers, packed with msgpackr.
// Only control and placement travel here; core-to-core traffic crosses tiles through the SAB rings.

import { Packr } from 'msgpackr';
import type { MessagePort } from 'node:worker_threads';
import type { MachineSpec, MeshShape, Tile } from '@wafer/arch';

/** Everything a tile worker needs to start (piscina task data; SharedArrayBuffers are shared, not copied). */
export interface TileInit {
  tileId: number;
  tiles: Tile[];
  mesh: MeshShape;
  machine: MachineSpec;
  sramUnlimited: boolean;
  /** Microseconds an idle tile polls before it sleeps (0: sleep at once). */
  spinMicros: number;
  /** Measure where each run's wall time goes (RunSummary.wall). */
  profileWall: boolean;
  /** What the tile records beside its counters (phases, per-run counters, traces). */
  observe: ObserveOptions;
  control: SharedArrayBuffer;
  routeTable: SharedArrayBuffer;
  /**
   * The rings this tile writes (to) and reads (from). `remote`: the other end is a tile on another host, whose reader here is
   * the host's bridge (it batches what it forwards, so it is woken at the writer's flushes, not at every write).
   */
  rings: { from: number; to: number; sab: SharedArrayBuffer; remote?: boolean }[];
  port: MessagePort;
}

/**
 * What the tiles record beside the counters every run keeps (docs/fabric.md, "Observing a run"). All off by
 * default; nothing here changes a modeled figure.
 */
export interface ObserveOptions {
  /** Attribute every core's cycles to the phase its program marked (RunReport.phases, counters.phaseCycles). */
  phases?: boolean;
  /** Return each run's per-core and per-link counters with its report (RunReport.counters). */
  counters?: boolean;
  /** Record the events of the cores in this window for a modeled-time trace (RunReport.trace). */
  trace?: CoreWindow;
  /** Record where each worker thread's wall time goes, as intervals (RunReport.wallTrace). */
  wallTrace?: boolean;
}

/** A rectangle of cores: columns x0..x0+width-1, rows y0..y0+height-1. */
export interface CoreWindow {
  x0: number;
  y0: number;
  width: number;
  height: number;
}

/** A core program, by module URL and export name, so every worker can import it. */
export interface ProgramRef {
  module: string;
  export: string;
}

export type Command =
  | { type: 'place'; name: string; cores: number[]; data: Float32Array[] }
  | { type: 'free'; name: string }
  | { type: 'run'; program: ProgramRef; args: unknown; epoch: number; gather?: string[] }
  | { type: 'strays' }
  | { type: 'gather'; name: string }
  | { type: 'counters' }
  | { type: 'shutdown' };

/** Per-tile results of a run. */
export interface RunSummary {
  maxClock: number;
  messages: number;
  words: number;
  maxHops: number;
  sramPeakBytes: number;
  sramOverflowCores: number;
  idleWaits: number; // wall-clock diagnostics: times the thread slept waiting for other tiles
  idleTimeouts: number;
  /** Generator resumes of this tile's cores (wall-clock diagnostics: the scheduler's work). */
  resumes: number;
  /** With profileWall: where this thread's wall time went. */
  wall?: TileWall;
  /** Per route colour: messages sent, values sent, and the longest route used. */
  colorMessages: number[];
  colorWords: number[];
  colorMaxHops: number[];
  /** With observe.phases: this tile's last-finishing core (largest clock, then lowest index) and its cycles. */
  critical?: CriticalCore;
  /** With observe.phases or observe.counters: this run's counters of the tile. */
  counters?: TileCounters;
  /** With observe.trace: the events of this tile's cores inside the window. */
  trace?: TileTrace;
  /** With observe.wallTrace: this thread's wall-clock intervals. */
  wallTrace?: WallIntervals;
}

/** The core whose clock ended last, and its cycles per phase and kind ([stride × CYCLE_KIND_COUNT]). */
export interface CriticalCore {
  core: number; // global index y * cols + x
  clock: number;
  stride: number; // phases per core in `cycles`
  cycles: Float64Array;
}

/**
 * Trace events of the traced cores of one tile (or, merged, of the whole window): each core's events in its
 * program order, TRACE_RECORD numbers each (see trace-recorder.ts for the layout).
 */
export interface TileTrace {
  cores: Int32Array; // global indices, ascending
  endClock: Float64Array; // per traced core: its clock when its program ended
  counts: Int32Array; // per traced core: events kept
  dropped: Int32Array; // per traced core: events over the per-core cap, not kept
  events: Float64Array; // [Σ counts × TRACE_RECORD], grouped by core in `cores` order
}

/** Wall-clock intervals of one worker thread (ms since the epoch, from performance.timeOrigin + now()). */
export interface WallIntervals {
  tile: number;
  kinds: Uint8Array; // WALL_* kind of each interval
  start: Float64Array;
  end: Float64Array;
  dropped: number; // intervals over the cap
}

/** A named buffer collected from the cores of one tile that hold it (global core indices). */
export interface Gathered {
  name: string;
  cores: number[];
  data: Float32Array[];
}

/** Wall-clock breakdown of one run on one thread (ms). Never part of a modeled figure. */
export interface TileWall {
  runMs: number; // the whole run on this thread
  localKernelMs: number; // local arithmetic (GEMV, GEMM, Q·Kᵀ tiles)
  localKernelCalls: number;
  idleMs: number; // waiting for other threads (polling and sleeping)
  linksMs: number; // moving messages through the cross-tile rings
  gcMs: number; // garbage collection the thread reported since the previous run
  /** Part of idleMs asleep on the doorbell (after the spin), off every CPU. */
  sleepMs: number;
  /** Where Linux reports it (/proc/thread-self/schedstat): ms the thread was ready to run but waited for a CPU. */
  runQueueMs?: number;
}

export interface CoreFailure {
  x: number;
  y: number;
  tile: number;
  message: string;
  code?: string;
  stack?: string;
}

export interface WaitingCore {
  x: number;
  y: number;
  color: number;
}

export type Reply =
  | { type: 'ok' }
  | { type: 'done'; summary: RunSummary; gathered?: Gathered[] }
  | { type: 'failed'; failure: CoreFailure }
  | { type: 'aborted'; reason: number; waiting: WaitingCore[]; waitingCount: number }
  | { type: 'data'; cores: number[]; data: Float32Array[] }
  | { type: 'counters'; counters: TileCounters }
  | { type: 'drained'; strays: number; strayCores: string[] }
  | { type: 'error'; message: string; code?: string };

/** Per-core counters of one tile (indexed by the tile's local row-major core order) and the links it drove. */
export interface TileCounters {
  tile: number;
  clock: Float64Array;
  busyCycles: Float64Array;
  waitCycles: Float64Array;
  sentWords: Float64Array;
  recvWords: Float64Array;
  sentMessages: Float64Array;
  recvMessages: Float64Array;
  sramPeakBytes: Float64Array;
  /** Full-mesh link arrays, [core * 4 + direction], for the links this tile's senders drove. */
  linkMessages: Float64Array;
  linkWords: Float64Array;
  linkBusyCycles: Float64Array;
  /** With observe.phases: [core × phaseStride × CYCLE_KIND_COUNT] cycles per phase id and kind. */
  phaseCycles?: Float64Array;
  phaseStride?: number;
}

// moreTypes: typed arrays round-trip as typed arrays (placement and gather carry Float32Array blocks).
const packr = new Packr({ structuredClone: false, useRecords: false, moreTypes: true });

/**
 * Packs a control message into bytes that own their ArrayBuffer exactly. msgpackr returns a view into its
 * reusable (and after a large placement, very large) buffer, and postMessage would clone that whole buffer
 * for every message; a copy of just these bytes can be transferred instead.
 */
export function pack(msg: Command | Reply): Uint8Array {
  return new Uint8Array(packr.pack(msg)); // a copy: pack() returns a Buffer, whose slice() is only a view
}
export function unpack<T extends Command | Reply>(bytes: Uint8Array): T {
  return packr.unpack(bytes) as T;
}
