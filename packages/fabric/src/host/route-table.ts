// Reads the shared route table after a run: how many route-table entries each router needed.
// An entry is one (colour, input port, output port) triple: a route's send, pass-through or delivery.

import type { MeshShape } from '@wafer/arch';

function popcount(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

const PORT_NAMES = ['N', 'E', 'S', 'W', 'core'];

/** Bit (i * 5 + o) for every input port i: the inputs that feed output port o, shifted by o. */
const INPUTS_OF_OUTPUT_0 = 0b00001_00001_00001_00001_00001;

/**
 * The first output port of a router's colour entry that two input ports feed, or null. A mask test per output
 * first, so that the port list is built only for a conflict (this runs for every entry after every run).
 */
function merge(bits: number): { ports: string[]; out: string } | null {
  for (let o = 0; o < 5; o++) {
    const inputs = bits & (INPUTS_OF_OUTPUT_0 << o);
    if ((inputs & (inputs - 1)) === 0) continue; // at most one input feeds o
    const ports: string[] = [];
    for (let i = 0; i < 5; i++) if ((inputs & (1 << (i * 5 + o))) !== 0) ports.push(PORT_NAMES[i]);
    return { ports, out: PORT_NAMES[o] };
  }
  return null;
}

/**
 * A router where two flows of one colour enter from different ports and leave by the same port (to its core,
 * or on along the route): downstream, nothing could tell them apart, and their order would depend on timing.
 */
export interface RouteConflict {
  x: number;
  y: number;
  color: number;
  ports: string[];
  out: string;
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
        const m = merge(bits);
        if (m !== null) conflict = { x: r % mesh.cols, y: Math.floor(r / mesh.cols), color: c, ...m };
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

/** The entries of a route table that are not 0 (a tile host sends these to its coordinator after a run). */
export function sparseRouteEntries(table: Uint32Array): { index: Uint32Array; bits: Uint32Array } {
  let n = 0;
  for (let i = 0; i < table.length; i++) if (table[i] !== 0) n++;
  const index = new Uint32Array(n);
  const bits = new Uint32Array(n);
  for (let i = 0, k = 0; i < table.length; i++) {
    if (table[i] === 0) continue;
    index[k] = i;
    bits[k++] = table[i];
  }
  return { index, bits };
}
