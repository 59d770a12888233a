// The shift-based KV cache of one core (WaferLLM §4): positions along Y, kept evenly spread over the rows
// in sequence order. When entry n arrives, the row that must grow is j = n mod R; every row below it
// hands its oldest entry one row up (one hop, all rows in parallel) and the new entry enters the bottom row.

import { route, N, type Core, type RecvRequest } from '@wafer/arch';
import { rowCount } from './layout.js';

/** Route colour of the one-hop shifts toward row 0. */
export const KV_SHIFT_COLOR = 14;
const SHIFT_UP = route(KV_SHIFT_COLOR, N, 1);

/** This core's slice of one layer's cache: entries in sequence order, oldest first. */
export interface KvSlice {
  keys: Float32Array; // [capacity × b]
  values: Float32Array; // [capacity × b]
  positions: Float32Array; // [capacity]
  countCell: Float32Array; // [1]: the count, kept in SRAM for inspection
  count: number;
}

interface KvNames {
  k: string;
  v: string;
  p: string;
  n: string;
}
const kvNameCache: KvNames[] = [];

/** Buffer names of a layer's cache, built once per layer (not per core and step). */
function kvNames(layer: number): KvNames {
  let n = kvNameCache[layer];
  if (n === undefined) {
    const base = `L${layer}.kv`;
    n = { k: `${base}.k`, v: `${base}.v`, p: `${base}.p`, n: `${base}.n` };
    kvNameCache[layer] = n;
  }
  return n;
}

/** The cache slice of `layer` on this core, allocated (and counted against SRAM) on first use. */
export function kvSlice(core: Core, layer: number, capacity: number, b: number, entries: number): KvSlice {
  const names = kvNames(layer);
  if (!core.has(names.k)) {
    core.alloc(names.k, capacity * b);
    core.alloc(names.v, capacity * b);
    core.alloc(names.p, capacity);
    core.alloc(names.n, 1);
  }
  return { keys: core.buffer(names.k), values: core.buffer(names.v), positions: core.buffer(names.p), countCell: core.buffer(names.n), count: rowCount(entries, core.rows, core.y) };
}

/**
 * Adds entry `pos` (k and v: this core's b units, present on every row after the QKV allreduce) to a cache
 * holding `pos` entries. Returns the slice (a fresh value from kvSlice), its count updated.
 */
export function* kvAppend(core: Core, slice: KvSlice, k: Float32Array, v: Float32Array, pos: number): Generator<RecvRequest, KvSlice, Float32Array> {
  const R = core.rows;
  const r = core.y;
  const b = k.length;
  const j = pos % R; // the row that gains an entry
  const filled = Math.floor(pos / R) > 0; // rows below j hold entries to shift
  if (!filled) {
    // The first R entries: row j takes the new entry itself (every row already holds it).
    if (r === j) append(slice, k, v, pos);
    return done(slice);
  }
  if (r > j) {
    // Hand the oldest entry one row up, then drop it.
    const msg = core.scratch(2 * b + 1);
    msg.set(slice.keys.subarray(0, b), 0);
    msg.set(slice.values.subarray(0, b), b);
    msg[2 * b] = slice.positions[0];
    core.give(SHIFT_UP, msg);
    slice.keys.copyWithin(0, b, slice.count * b);
    slice.values.copyWithin(0, b, slice.count * b);
    slice.positions.copyWithin(0, 1, slice.count);
    slice.count--;
  }
  if (r === R - 1) append(slice, k, v, pos);
  else if (r >= j) {
    const m = yield core.recv(KV_SHIFT_COLOR);
    append(slice, m.subarray(0, b), m.subarray(b, 2 * b), m[2 * b]);
  }
  return done(slice);
}

// Helpers of kvAppend, outside it: a generator keeps its locals (and closures' context) in heap frames per call.

/** Appends one entry (b units of key and of value, and its position) after the slice's newest. */
function append(slice: KvSlice, k: Float32Array, v: Float32Array, pos: number): void {
  const b = k.length;
  slice.keys.set(k, slice.count * b);
  slice.values.set(v, slice.count * b);
  slice.positions[slice.count] = pos;
  slice.count++;
}

/** Publishes the slice's count in SRAM (for inspection: tests, traces) and returns the slice. */
function done(slice: KvSlice): KvSlice {
  slice.countCell[0] = slice.count;
  return slice;
}
