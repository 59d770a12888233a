// Regions of the wafer (WaferLLM §4 "layers across the wafer"): the mesh is cut into equal rectangles, visited
// in serpentine order so that consecutive regions always share an edge, and a model's layers go to them in
// order, as many per region as its SRAM holds. One rule, used by the emulator and the analytical model.

import { usageError } from './errors.js';
import { parseMesh, type MeshShape } from './mesh.js';

/** A rectangle of cores: columns x0..x0+cols-1, rows y0..y0+rows-1. */
export interface RegionRect {
  x0: number;
  y0: number;
  rows: number;
  cols: number;
}

/** Parses `--region` (P or RxC) against the mesh it cuts. */
export function parseRegion(text: string, mesh: MeshShape, flag = '--region'): MeshShape {
  const r = parseMesh(text, flag);
  if (r.rows > mesh.rows || r.cols > mesh.cols) throw usageError(`${flag} ${r.rows}x${r.cols} is larger than the ${mesh.rows}x${mesh.cols} mesh`);
  return r;
}

/**
 * The whole regions of `region` shape a mesh holds, in serpentine order: the first band of regions left to
 * right, the next right to left, and so on. Region i+1 is always beside region i (east, west or south), so a
 * hand-off between consecutive regions is one straight hop across their shared edge. Leftover rows and
 * columns (when the region does not divide the mesh) stay unused.
 */
export function cutRegions(mesh: MeshShape, region: MeshShape): RegionRect[] {
  const across = Math.floor(mesh.cols / region.cols);
  const down = Math.floor(mesh.rows / region.rows);
  const out: RegionRect[] = [];
  for (let band = 0; band < down; band++) {
    for (let k = 0; k < across; k++) {
      const col = band % 2 === 0 ? k : across - 1 - k;
      out.push({ x0: col * region.cols, y0: band * region.rows, rows: region.rows, cols: region.cols });
    }
  }
  return out;
}

/** Where region `to` lies from region `from` (consecutive regions of cutRegions). */
export type HandoffSide = 'east' | 'west' | 'south';

export function handoffSide(from: RegionRect, to: RegionRect): HandoffSide {
  if (to.y0 === from.y0 && to.x0 === from.x0 + from.cols) return 'east';
  if (to.y0 === from.y0 && to.x0 + to.cols === from.x0) return 'west';
  if (to.x0 === from.x0 && to.y0 === from.y0 + from.rows) return 'south';
  throw usageError(`regions at (${from.x0},${from.y0}) and (${to.x0},${to.y0}) are not neighbours`);
}

/** Whether a rectangle covers the whole mesh (the one-region case: every layer on every core). */
export function coversMesh(r: RegionRect, mesh: MeshShape): boolean {
  return r.x0 === 0 && r.y0 === 0 && r.rows === mesh.rows && r.cols === mesh.cols;
}

/** A contiguous block of layers on one region. */
export interface LayerBlock {
  region: number;
  firstLayer: number;
  layers: number;
}

/** Bytes per core (the busiest core of a region) of the pieces the placement puts on regions. */
export interface RegionBytes {
  budget: number; // SRAM per core
  base: number; // working buffers every used region keeps
  layer: number; // one layer's weights and KV cache
  embedding: number; // the embedding table (region 0)
  classifier: number; // final norm and classifier (the region after the last layer, or beside it)
  /** The classifier's bytes already held when it shares region 0 with a tied embedding table. */
  tiedSaving: number;
}

export interface LayerPlacement {
  blocks: LayerBlock[]; // in layer order; a region's block may hold 0 layers (region 0 with only the embedding)
  classifierRegion: number;
  regionsNeeded: number;
  layersPerRegion: number; // the largest block
  /** Bytes per core of every used region, in region order. */
  regionBytes: number[];
  peakBytes: number;
  fits: boolean; // regionsNeeded ≤ the regions available and at least one layer fits a region
}

/**
 * Places `layers` layers on regions in order: region 0 holds the embedding table and as many layers as fit
 * beside it, every later region as many as fit; the classifier joins the region of the last layer if there is
 * room, else takes the next region. `available` regions exist; the placement reports how many it needs
 * (more than available means it does not fit).
 */
export function placeLayerBlocks(layers: number, available: number, b: RegionBytes): LayerPlacement {
  const perRegion = Math.floor((b.budget - b.base) / b.layer); // layers an ordinary region holds
  const blocks: LayerBlock[] = [];
  const used: number[] = [];
  if (perRegion < 1) return { blocks, classifierRegion: -1, regionsNeeded: Number.POSITIVE_INFINITY, layersPerRegion: 0, regionBytes: used, peakBytes: b.base + b.layer, fits: false };
  let next = 0;
  while (next < layers) {
    const r = blocks.length;
    const extra = r === 0 ? b.embedding : 0;
    const n = Math.max(0, Math.min(layers - next, Math.floor((b.budget - b.base - extra) / b.layer)));
    blocks.push({ region: r, firstLayer: next, layers: n });
    used.push(b.base + extra + n * b.layer);
    next += n;
  }
  const last = blocks.length - 1;
  const saving = last === 0 ? b.tiedSaving : 0;
  let classifierRegion = last;
  if (used[last] + b.classifier - saving <= b.budget) used[last] += b.classifier - saving;
  else {
    classifierRegion = last + 1;
    used.push(b.base + b.classifier);
  }
  const peakBytes = Math.max(...used);
  return {
    blocks,
    classifierRegion,
    regionsNeeded: used.length,
    layersPerRegion: Math.max(...blocks.map((k) => k.layers)),
    regionBytes: used,
    peakBytes,
    fits: used.length <= available && peakBytes <= b.budget,
  };
}
