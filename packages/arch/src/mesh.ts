// Mesh geometry: cores, directions, neighbours, hop distances, and rectangular tile partitions over threads.
// Core (x, y) is column x, row y; row 0 is the top (north) edge. Cores are numbered row-major: y * cols + x.

import { WaferError } from './errors.js';

/** A 2-D mesh of rows × cols cores. */
export interface MeshShape {
  rows: number;
  cols: number;
}

/** Link directions. North decreases y, east increases x. */
export const N = 0;
export const E = 1;
export const S = 2;
export const W = 3;
export type Direction = typeof N | typeof E | typeof S | typeof W;
export const DIRECTION_NAMES = ['N', 'E', 'S', 'W'] as const;
/** Per direction: [dx, dy]. */
export const DX = [0, 1, 0, -1] as const;
export const DY = [-1, 0, 1, 0] as const;

export function opposite(d: Direction): Direction {
  return ((d + 2) & 3) as Direction;
}

export function coreIndex(mesh: MeshShape, x: number, y: number): number {
  return y * mesh.cols + x;
}

/** Hierarchical component names, as booksim names them. */
export function coreName(x: number, y: number): string {
  return `core(${x},${y})`;
}
export function linkName(x: number, y: number, d: Direction): string {
  return `link(${x},${y})->${DIRECTION_NAMES[d]}`;
}

/** Manhattan distance in hops. */
export function hopDistance(ax: number, ay: number, bx: number, by: number): number {
  return Math.abs(ax - bx) + Math.abs(ay - by);
}

/** Hops left to the mesh edge from (x, y) in direction d. */
export function hopsToEdge(mesh: MeshShape, x: number, y: number, d: Direction): number {
  switch (d) {
    case N: return y;
    case S: return mesh.rows - 1 - y;
    case E: return mesh.cols - 1 - x;
    default: return x;
  }
}

/** A rectangular tile of cores owned by one worker thread. */
export interface Tile {
  id: number;
  x0: number;
  y0: number;
  width: number;
  height: number;
}

/** The name of the core at local index `local` (row-major) of tile t: `core(x,y)`. */
export function tileCoreName(t: Tile, local: number): string {
  return coreName(t.x0 + (local % t.width), t.y0 + Math.floor(local / t.width));
}

/** The tile's cores as errors name them: `cores x 0..3, y 0..7`. */
export function tileCores(t: Tile): string {
  return `cores x ${t.x0}..${t.x0 + t.width - 1}, y ${t.y0}..${t.y0 + t.height - 1}`;
}

export function tileContains(t: Tile, x: number, y: number): boolean {
  return x >= t.x0 && x < t.x0 + t.width && y >= t.y0 && y < t.y0 + t.height;
}

/** Splits n items into k contiguous parts whose sizes differ by at most one (larger parts first). */
export function evenSplit(n: number, k: number): number[] {
  const base = Math.floor(n / k);
  const extra = n % k;
  return Array.from({ length: k }, (_, i) => base + (i < extra ? 1 : 0));
}

/**
 * How tiles are cut: 'square' (as square as possible: fewest cut links), 'rows' (horizontal strips: traffic
 * along X stays inside a tile) or 'columns' (vertical strips: traffic along Y stays inside a tile).
 */
export type TileShape = 'square' | 'rows' | 'columns';

/**
 * Partitions a rows × cols mesh into `threads` rectangular tiles, for any 1 <= threads <= rows·cols.
 * Tiles form horizontal bands; band i holds a near-equal share of the tiles, split along columns.
 * With 'square' the band count makes tiles as square as possible; 'rows' and 'columns' cut strips, so
 * that a program whose collectives mostly run along one axis crosses threads as rarely as possible.
 */
export function partitionTiles(mesh: MeshShape, threads: number, shape: TileShape = 'square'): Tile[] {
  if (shape === 'columns') {
    // Cut the transposed mesh into horizontal strips and transpose the tiles back.
    return partitionTiles({ rows: mesh.cols, cols: mesh.rows }, threads, 'rows').map((t) => ({ id: t.id, x0: t.y0, y0: t.x0, width: t.height, height: t.width }));
  }
  const { rows, cols } = mesh;
  if (!Number.isInteger(threads) || threads < 1) throw new WaferError('USAGE', `--threads must be a positive integer, got ${threads}`);
  if (threads > rows * cols) throw new WaferError('USAGE', `--threads ${threads} is more than the ${rows}x${cols} mesh's ${rows * cols} cores`);
  const minBands = Math.ceil(threads / cols);
  const maxBands = Math.min(threads, rows);
  const ideal = shape === 'rows' ? threads : Math.round(Math.sqrt((threads * rows) / cols));
  const bands = Math.max(minBands, Math.min(maxBands, Math.max(1, ideal)));
  const tilesPerBand = evenSplit(threads, bands);
  const bandHeights = evenSplit(rows, bands);
  const tiles: Tile[] = [];
  let y0 = 0;
  for (let b = 0; b < bands; b++) {
    const widths = evenSplit(cols, tilesPerBand[b]);
    let x0 = 0;
    for (const width of widths) {
      tiles.push({ id: tiles.length, x0, y0, width, height: bandHeights[b] });
      x0 += width;
    }
    y0 += bandHeights[b];
  }
  return tiles;
}

/** Maps every core index to its tile id. */
export function tileOfCore(mesh: MeshShape, tiles: Tile[]): Int32Array {
  const owner = new Int32Array(mesh.rows * mesh.cols);
  for (const t of tiles) {
    for (let y = t.y0; y < t.y0 + t.height; y++) owner.fill(t.id, y * mesh.cols + t.x0, y * mesh.cols + t.x0 + t.width);
  }
  return owner;
}

/** Parses "P" (P×P) or "RxC" as a mesh; `flag` names the option in errors. */
export function parseMesh(text: string, flag = '--mesh'): MeshShape {
  const m = /^\s*(\d+)\s*(?:[xX×]\s*(\d+))?\s*$/.exec(String(text));
  if (!m) throw new WaferError('USAGE', `${flag} must be P or RxC (e.g. 8 or 4x6), got '${text}'`);
  const rows = Number(m[1]);
  const cols = m[2] === undefined ? rows : Number(m[2]);
  if (rows < 1 || cols < 1) throw new WaferError('USAGE', `${flag} dimensions must be >= 1, got '${text}'`);
  return { rows, cols };
}
