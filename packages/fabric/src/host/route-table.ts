// Reads the shared route table after a run: how many route-table entries each router needed.
// An entry is one (colour, input port, output port) triple: a route's send, pass-through or delivery.

import type { MeshShape } from '@wafer/arch';

function popcount(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Entries per router; the largest and where it is. */
export function countRoutes(table: Uint32Array, mesh: MeshShape): { max: number; busiest: { x: number; y: number } | null; perRouter: Uint16Array } {
  const n = mesh.rows * mesh.cols;
  const perRouter = new Uint16Array(n);
  let max = 0;
  let at = -1;
  for (let r = 0; r < n; r++) {
    let count = 0;
    for (let c = 0; c < 32; c++) {
      const bits = table[r * 32 + c];
      if (bits !== 0) count += popcount(bits);
    }
    perRouter[r] = count;
    if (count > max) {
      max = count;
      at = r;
    }
  }
  return { max, busiest: at < 0 ? null : { x: at % mesh.cols, y: Math.floor(at / mesh.cols) }, perRouter };
}
