// Merges the tiles' counters into full-mesh arrays in global core order (y * cols + x).

import type { MeshShape, Tile } from '@wafer/arch';
import type { TileCounters } from '../protocol.js';

/** Per-core arrays [rows * cols] and per-link arrays [rows * cols * 4] (index core * 4 + direction N/E/S/W). */
export interface MeshCounters {
  clock: Float64Array;
  busyCycles: Float64Array;
  waitCycles: Float64Array;
  sentWords: Float64Array;
  recvWords: Float64Array;
  sentMessages: Float64Array;
  recvMessages: Float64Array;
  sramPeakBytes: Float64Array;
  linkMessages: Float64Array;
  linkWords: Float64Array;
  linkBusyCycles: Float64Array;
}

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
  return out;
}
