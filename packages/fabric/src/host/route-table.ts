// Reads the shared route table after a run: how many route-table entries each router needed.
// An entry is one (colour, input port, output port) triple: a route's send, pass-through or delivery.

import type { MeshShape } from '@wafer/arch';

function popcount(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

const RAMP = 4;
/** Bits of the entries that deliver to the core (input port i → RAMP), one per input port. */
const DELIVERY_BITS = [0, 1, 2, 3, 4].map((i) => 1 << (i * 5 + RAMP));
const PORT_NAMES = ['N', 'E', 'S', 'W', 'core'];

/** A router where two different flows deliver to its core on one colour: the core could not tell them apart. */
export interface RouteConflict {
  x: number;
  y: number;
  color: number;
  ports: string[];
}

/** Entries per router; the largest and where it is; the first delivery conflict, if any. */
export function countRoutes(table: Uint32Array, mesh: MeshShape): { max: number; busiest: { x: number; y: number } | null; perRouter: Uint16Array; conflict: RouteConflict | null } {
  const n = mesh.rows * mesh.cols;
  const perRouter = new Uint16Array(n);
  let max = 0;
  let at = -1;
  let conflict: RouteConflict | null = null;
  for (let r = 0; r < n; r++) {
    let count = 0;
    for (let c = 0; c < 32; c++) {
      const bits = table[r * 32 + c];
      if (bits === 0) continue;
      count += popcount(bits);
      if (conflict === null) {
        const ports = DELIVERY_BITS.flatMap((b, i) => ((bits & b) !== 0 ? [PORT_NAMES[i]] : []));
        if (ports.length > 1) conflict = { x: r % mesh.cols, y: Math.floor(r / mesh.cols), color: c, ports };
      }
    }
    perRouter[r] = count;
    if (count > max) {
      max = count;
      at = r;
    }
  }
  return { max, busiest: at < 0 ? null : { x: at % mesh.cols, y: Math.floor(at / mesh.cols) }, perRouter, conflict };
}
