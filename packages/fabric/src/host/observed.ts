// The coordinator's side of observe: picks the run's critical core among the tiles' candidates and merges the
// tiles' trace events into global core order, so both are the same for any thread count and tile shape.

import { TRACE_MAX_CORES, TRACE_RECORD, usageError, type MeshShape } from '@wafer/arch';
import type { CoreWindow, CriticalCore, TileTrace } from '../protocol.js';

/** The core whose clock ended last over the whole mesh; ties go to the lowest global index. */
export function pickCritical(candidates: CriticalCore[]): CriticalCore {
  let best = candidates[0];
  for (const c of candidates) if (c.clock > best.clock || (c.clock === best.clock && c.core < best.core)) best = c;
  return best;
}

/** The tiles' traces as one, every traced core's events in ascending global core order. */
export function mergeTraces(parts: TileTrace[]): TileTrace {
  const entries: { core: number; part: TileTrace; k: number; offset: number }[] = [];
  for (const part of parts) {
    let offset = 0;
    for (let k = 0; k < part.cores.length; k++) {
      entries.push({ core: part.cores[k], part, k, offset });
      offset += part.counts[k] * TRACE_RECORD;
    }
  }
  entries.sort((a, b) => a.core - b.core);
  const total = entries.reduce((s, e) => s + e.part.counts[e.k], 0);
  const events = new Float64Array(total * TRACE_RECORD);
  let o = 0;
  for (const e of entries) {
    const len = e.part.counts[e.k] * TRACE_RECORD;
    events.set(e.part.events.subarray(e.offset, e.offset + len), o);
    o += len;
  }
  return {
    cores: Int32Array.from(entries, (e) => e.core),
    endClock: Float64Array.from(entries, (e) => e.part.endClock[e.k]),
    counts: Int32Array.from(entries, (e) => e.part.counts[e.k]),
    dropped: Int32Array.from(entries, (e) => e.part.dropped[e.k]),
    events,
  };
}

/** Checks that a trace window lies inside the mesh and is not larger than TRACE_MAX_CORES (the error names `flag`). */
export function checkWindow(w: CoreWindow, mesh: MeshShape, flag = '--trace-cores'): void {
  const ok = [w.x0, w.y0, w.width, w.height].every(Number.isInteger) && w.x0 >= 0 && w.y0 >= 0 && w.width >= 1 && w.height >= 1 && w.x0 + w.width <= mesh.cols && w.y0 + w.height <= mesh.rows;
  if (!ok) throw usageError(`${flag}: columns ${w.x0}..${w.x0 + w.width - 1}, rows ${w.y0}..${w.y0 + w.height - 1} are not inside the ${mesh.rows}x${mesh.cols} mesh`);
  if (w.width * w.height > TRACE_MAX_CORES) throw usageError(`${flag}: a trace shows at most ${TRACE_MAX_CORES.toLocaleString('en-US')} cores (250x250), got ${w.width}x${w.height}`);
}
