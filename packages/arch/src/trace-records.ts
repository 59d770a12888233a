// The layout of the per-core trace events the fabric records (observe.trace) and the observe package turns into a
// Perfetto trace: a shared contract, like the core contract, so neither package imports the other.

/** Numbers per event: [type, time (cycles), a, b, c, d]. */
export const TRACE_RECORD = 6;

/** `core.phase(id)`: a = phase id. */
export const EV_PHASE = 0;
/** `core.step()` (before its cycles are charged). */
export const EV_STEP = 1;
/** A send: time = the core's clock when it sent, a = when it left (egress free), b = packed route, c = values. */
export const EV_SEND = 2;
/** A receive: time = the clock after it, a = colour, b = its number among this core's receives on that colour in
 * the run, c = values, d = the clock when the core started waiting. */
export const EV_RECV = 3;
/** An allocation or free: a = the core's SRAM bytes in use afterwards. */
export const EV_SRAM = 4;

/** Packs a route into one number: colour (5 bits), direction (2), multicast (1), hops (the rest). */
export function packRoute(color: number, dir: number, multicast: boolean, hops: number): number {
  return color | (dir << 5) | (multicast ? 128 : 0) | (hops << 8);
}

/** The fields of a packed route. */
export function unpackRoute(packed: number): { color: number; dir: number; multicast: boolean; hops: number } {
  return { color: packed & 31, dir: (packed >> 5) & 3, multicast: (packed & 128) !== 0, hops: packed >> 8 };
}

/**
 * Events a run may record over all traced cores; each traced core keeps at most TRACE_EVENT_BUDGET / cores of
 * them (a cap that depends only on the window, so the trace is the same for any thread count).
 */
export const TRACE_EVENT_BUDGET = 1_000_000;
/** The largest trace window, so that every traced core keeps at least 16 events per run. */
export const TRACE_MAX_CORES = TRACE_EVENT_BUDGET / 16;

/** Wall-clock interval kinds of a worker thread (observe.wallTrace). */
export const WALL_RUN = 0; // the whole run on this thread
export const WALL_IDLE = 1; // waiting for other threads (polling, then sleeping)
export const WALL_RINGS = 2; // moving messages through the cross-tile rings
export const WALL_GC = 3; // a garbage-collection pause
export const WALL_KIND_NAMES = ['run', 'waiting for other threads', 'cross-tile rings', 'GC'] as const;
/** Intervals a thread keeps per run (the rest are counted as dropped). */
export const WALL_INTERVAL_CAP = 100_000;
