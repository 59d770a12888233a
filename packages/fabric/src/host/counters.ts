// Merges the tiles' counters into full-mesh arrays in global core order (y * cols + x).

import { CYCLE_KIND_COUNT, type MeshShape, type Tile } from '@wafer/arch';
import type { TileCounters } from '../protocol.js';

/**
 * The tiles' counters merged over the whole mesh: per-core arrays [rows * cols] in global order, and per-link
 * arrays [rows * cols * 4] (index core * 4 + direction N/E/S/W). With phases on, phaseCycles is
 * [rows * cols * phaseStride * CYCLE_KIND_COUNT] (phaseStride: the widest tile's).
 */
export type MeshCounters = Omit<TileCounters, 'tile'>;

const PER_CORE = ['clock', 'busyCycles', 'waitCycles', 'sentWords', 'recvWords', 'sentMessages', 'recvMessages', 'sramPeakBytes'] as const;
const PER_LINK = ['linkMessages', 'linkWords', 'linkBusyCycles'] as const;

export function mergeCounters(mesh: MeshShape, tiles: Tile[], parts: TileCounters[]): MeshCounters {
  const n = mesh.rows * mesh.cols;
  const out = {} as MeshCounters;
  for (const k of PER_CORE) out[k] = new Float64Array(n);
  for (const k of PER_LINK) out[k] = new Float64Array(n * 4);
  for (const p of parts) {
    const t = tiles[p.tile];
    for (let ly = 0; ly < t.height; ly++) {
      for (let lx = 0; lx < t.width; lx++) {
        const li = ly * t.width + lx;
        const g = (t.y0 + ly) * mesh.cols + t.x0 + lx;
        for (const k of PER_CORE) out[k][g] = p[k][li];
      }
    }
    for (const k of PER_LINK) {
      const src = p[k];
      const dst = out[k];
      for (let i = 0; i < src.length; i++) dst[i] += src[i];
    }
  }
  const phased = parts.filter((p) => p.phaseCycles !== undefined);
  if (phased.length > 0) mergePhases(mesh, tiles, phased, out);
  return out;
}

/** Per-core phase cycles in global order, every tile's rows widened to the largest stride. */
function mergePhases(mesh: MeshShape, tiles: Tile[], parts: TileCounters[], out: MeshCounters): void {
  const K = CYCLE_KIND_COUNT;
  const stride = Math.max(...parts.map((p) => p.phaseStride!));
  const cycles = new Float64Array(mesh.rows * mesh.cols * stride * K);
  for (const p of parts) {
    const t = tiles[p.tile];
    const w = p.phaseStride! * K;
    for (let li = 0; li < t.width * t.height; li++) {
      const g = (t.y0 + Math.floor(li / t.width)) * mesh.cols + t.x0 + (li % t.width);
      cycles.set(p.phaseCycles!.subarray(li * w, (li + 1) * w), g * stride * K);
    }
  }
  out.phaseCycles = cycles;
  out.phaseStride = stride;
}
