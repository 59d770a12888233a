// What a coordinator needs to run its tiles on tile hosts, and how the mesh is cut into one band per host.

import { partitionTiles, usageError } from '@wafer/arch';
import type { MeshShape, Tile, TileShape } from '@wafer/arch';

/** How the mesh is cut into one band per host. */
export type HostSplit = 'rows' | 'columns';

export interface HostsOptions {
  /** One ZeroMQ endpoint per tile host, `tcp://ADDR:PORT`, reachable from the coordinator and every other host. */
  addresses: string[];
  /** Bands of rows (one above the other) or of columns (side by side); default 'columns'. */
  split?: HostSplit;
  /** The shared secret (`--secret FILE`'s bytes): CURVE with keys derived from it, refusing everyone else. */
  secret?: Uint8Array;
  /** Milliseconds to wait for every host's answer when connecting (default 10,000). */
  connectTimeoutMs?: number;
  /** Largest data frame between two hosts in bytes (default 256 KiB; frames close earlier when rings run dry). */
  batchBytes?: number;
  /** Tests: every host cuts frames to random sizes and delays some sends, from this seed (results must not move). */
  chaosSeed?: number;
}

/** Parses `--hosts tcp://h1:p1,tcp://h2:p2`: every entry a tcp endpoint with a port, none twice. */
export function parseHostList(text: string, flag = '--hosts'): string[] {
  const list = String(text).split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (list.length === 0) throw usageError(`${flag} needs at least one tcp://HOST:PORT, got '${text}'`);
  for (const a of list) {
    if (!/^tcp:\/\/[^:/\s]+:\d{1,5}$/.test(a)) throw usageError(`${flag}: '${a}' is not tcp://HOST:PORT`);
  }
  if (new Set(list).size !== list.length) throw usageError(`${flag} names a host twice: '${text}'`);
  return list;
}

/**
 * The tiles of a mesh run on hosts: host h takes band h (rows or columns, split as evenly as possible), cut
 * into `threads[h]` tiles by partitionTiles with `tileShape`; tile ids count host by host. Deterministic, and
 * any cut gives the same results (docs/fabric.md, "Why this is deterministic").
 */
export function hostTiles(mesh: MeshShape, threads: number[], split: HostSplit, tileShape: TileShape): { tiles: Tile[]; hostOf: number[] } {
  const H = threads.length;
  const along = split === 'rows' ? mesh.rows : mesh.cols;
  if (H > along) throw usageError(`--hosts: ${H} hosts but the mesh has only ${along} ${split}`);
  const tiles: Tile[] = [];
  const hostOf: number[] = [];
  let start = 0;
  for (let h = 0; h < H; h++) {
    const size = Math.floor(along / H) + (h < along % H ? 1 : 0);
    const band: MeshShape = split === 'rows' ? { rows: size, cols: mesh.cols } : { rows: mesh.rows, cols: size };
    const n = Math.min(threads[h], band.rows * band.cols);
    for (const t of partitionTiles(band, n, tileShape)) {
      const x0 = split === 'rows' ? t.x0 : t.x0 + start;
      const y0 = split === 'rows' ? t.y0 + start : t.y0;
      tiles.push({ id: tiles.length, x0, y0, width: t.width, height: t.height });
      hostOf.push(h);
    }
    start += size;
  }
  return { tiles, hostOf };
}
