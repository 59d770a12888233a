// The run record (RUN.json): what a report page shows, saved by `--save-run` and read by `wafer report`:
// configuration, modeled and wall-clock summary, phase profiles, and per-core and per-link counter totals
// (float32, gzipped, base64: a 512×512 mesh's counters stay a few megabytes).

import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { WaferError, type MachineSpec, type MeshShape, type Tile } from '@wafer/arch';
import type { PhaseProfileResult } from './phase-profile.js';
import type { GroupCounters } from './run-observer.js';

export const RUN_RECORD_FORMAT = 'wafer-run-record';
export const RUN_RECORD_VERSION = 1;

/** A numeric array as float32 bytes, gzipped, in base64. */
export interface PackedArray {
  encoding: 'float32-gzip-base64';
  length: number;
  data: string;
}

export interface RecordGroup {
  group: string;
  runs: number;
  modeledCycles: number;
  busy: PackedArray;
  wait: PackedArray;
  sramPeak: PackedArray;
  linkWords: PackedArray;
  linkBusy: PackedArray;
}

export interface RunRecord {
  format: typeof RUN_RECORD_FORMAT;
  version: typeof RUN_RECORD_VERSION;
  title: string;
  /** Settings of the run, shown as a table. */
  config: Record<string, string | number | boolean | null>;
  /** Modeled beside wall-clock figures: [what, modeled, wall]. */
  summary: [string, string, string][];
  machine: { name: string; clockHz: number; sramBytesPerCore: number };
  mesh: MeshShape;
  threads: number;
  tiles: Tile[];
  profiles: PhaseProfileResult[];
  groups: RecordGroup[];
}

export function packArray(a: Float64Array | Float32Array): PackedArray {
  const f = Float32Array.from(a);
  return { encoding: 'float32-gzip-base64', length: f.length, data: gzipSync(new Uint8Array(f.buffer), { level: 6 }).toString('base64') };
}

export function unpackArray(p: PackedArray): Float32Array {
  const bytes = gunzipSync(Buffer.from(p.data, 'base64'));
  const out = new Float32Array(p.length);
  new Uint8Array(out.buffer).set(bytes.subarray(0, p.length * 4));
  return out;
}

/** Builds a record from an observer's results. */
export function runRecord(o: { title: string; config: RunRecord['config']; summary: RunRecord['summary']; machine: MachineSpec; mesh: MeshShape; threads: number; tiles: Tile[]; profiles: PhaseProfileResult[]; counters: GroupCounters[] }): RunRecord {
  return {
    format: RUN_RECORD_FORMAT,
    version: RUN_RECORD_VERSION,
    title: o.title,
    config: o.config,
    summary: o.summary,
    machine: { name: o.machine.name, clockHz: o.machine.clockHz, sramBytesPerCore: o.machine.sramBytesPerCore },
    mesh: { rows: o.mesh.rows, cols: o.mesh.cols },
    threads: o.threads,
    tiles: o.tiles.map((t) => ({ id: t.id, x0: t.x0, y0: t.y0, width: t.width, height: t.height })),
    profiles: o.profiles,
    groups: o.counters.map((g) => ({ group: g.group, runs: g.runs, modeledCycles: g.modeledCycles, busy: packArray(g.busy), wait: packArray(g.wait), sramPeak: packArray(g.sramPeak), linkWords: packArray(g.linkWords), linkBusy: packArray(g.linkBusy) })),
  };
}

/** Reads and checks a run record; a bad file is a BAD_RUN_RECORD error naming it and the field. */
export function readRunRecord(path: string): RunRecord {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new WaferError('FILE_NOT_FOUND', `${path}: cannot read the run record (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let r: RunRecord;
  try {
    r = JSON.parse(text) as RunRecord;
  } catch (e) {
    throw new WaferError('BAD_RUN_RECORD', `${path}: not JSON (${(e as Error).message}); write one with wafer run --save-run or wafer kernel --save-run`);
  }
  const fail = (what: string) => new WaferError('BAD_RUN_RECORD', `${path}: ${what}; write one with wafer run --save-run or wafer kernel --save-run`);
  if (r?.format !== RUN_RECORD_FORMAT) throw fail(`not a wafer run record (format ${JSON.stringify(r?.format)})`);
  if (r.version !== RUN_RECORD_VERSION) throw fail(`run record version ${JSON.stringify(r.version)}, this wafer reads version ${RUN_RECORD_VERSION}`);
  const n = r.mesh?.rows * r.mesh?.cols;
  if (!Number.isInteger(r.mesh?.rows) || !Number.isInteger(r.mesh?.cols) || !(n > 0)) throw fail('field mesh must hold positive integers rows and cols');
  if (!(r.machine?.clockHz > 0) || !(r.machine?.sramBytesPerCore > 0)) throw fail('field machine needs clockHz and sramBytesPerCore');
  if (!Array.isArray(r.groups) || !Array.isArray(r.profiles) || !Array.isArray(r.tiles) || !Array.isArray(r.summary)) throw fail('fields groups, profiles, tiles and summary must be arrays');
  for (const g of r.groups) {
    for (const [key, len] of [['busy', n], ['wait', n], ['sramPeak', n], ['linkWords', 4 * n], ['linkBusy', 4 * n]] as const) {
      const p = g[key];
      if (p?.encoding !== 'float32-gzip-base64' || p.length !== len || typeof p.data !== 'string') throw fail(`group ${JSON.stringify(g.group)} field ${key} must be a float32-gzip-base64 array of ${len} values`);
      let bytes: Buffer;
      try {
        bytes = gunzipSync(Buffer.from(p.data, 'base64'));
      } catch {
        throw fail(`group ${JSON.stringify(g.group)} field ${key} is not gzipped base64`);
      }
      if (bytes.length !== len * 4) throw fail(`group ${JSON.stringify(g.group)} field ${key} holds ${bytes.length / 4} values, not ${len}`);
    }
  }
  return r;
}
