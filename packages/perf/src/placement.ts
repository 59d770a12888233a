// Layers across the wafer (wafer-notes §4): bytes per core of one layer's weights, KV cache and scratch on
// a P×P region; contiguous blocks of layers over the regions the wafer has (arch's placement rule, shared with
// the emulator); and the hand-off of the activation from one region to the next.

import { cutRegions, handoffSide, placeLayerBlocks, WaferError, type LayerBlock, type MachineSpec, type MeshShape, type RegionRect } from '@wafer/arch';
import { layerDims, meshSide, type Convention, type LayerDims } from './layer-dims.js';
import { linkCosts, maxBlock, nonNegativeInt, ser } from './link-timing.js';
import type { ModelShape } from './model-shapes.js';

/** Bytes one core holds for one layer, and the per-core extras, on a P×P region. */
export interface LayerFootprint {
  dims: LayerDims;
  weightBytes: number; // fused q|k|v, output, fused gate|up and down blocks, the two norm slices
  kvBytesPerPosition: number; // one KV position of this layer on one core (K and V units, position)
  scratchBytes: number; // working vectors (per core, shared by all layers), besides per-position scores
  embeddingBytes: number; // the embedding table's block (region 0)
  classifierBytes: number; // the final norm slice and the classifier's block (the classifier's region)
  tiedSavingBytes: number; // the classifier's block when it is the embedding table and both share a region
}

/**
 * Bytes per core of one layer of `shape` on a P×P region, counted as packages/llama/src/mesh/memory.ts
 * counts them for the busiest core (largest blocks).
 */
export function layerFootprint(spec: MachineSpec, shape: ModelShape, p: number, conv: Convention): LayerFootprint {
  const dm = layerDims(shape, p, 1, conv);
  const b = spec.bytesPerElement;
  const v = maxBlock(shape.vocabSize, p);
  const weights = 2 * dm.d + dm.d * (dm.nrep + 2) * dm.kv + dm.nrep * dm.kv * dm.d + dm.d * 2 * dm.h + dm.h * dm.d;
  const working = 4 * dm.d + (dm.nrep + 2) * dm.kv + 2 * dm.h + v; // x, normed x, qkv, ffn, logits
  return {
    dims: dm,
    weightBytes: weights * b,
    kvBytesPerPosition: 2 * (dm.kv + 1) * b,
    scratchBytes: working * b,
    embeddingBytes: dm.d * v * b,
    classifierBytes: (dm.d + dm.d * v) * b,
    tiedSavingBytes: shape.sharedClassifier ? dm.d * v * b : 0,
  };
}

export interface Placement {
  p: number;
  footprint: LayerFootprint;
  positionsPerCore: number; // KV positions each core holds for each of its layers
  regionsAvailable: number; // whole P×P regions on the core array
  layersPerRegion: number; // the largest block (0: not even one layer fits)
  blocks: LayerBlock[];
  classifierRegion: number; // the region holding the final norm and classifier
  classifierOwnRegion: boolean; // the classifier did not fit beside the last block
  regionsNeeded: number;
  /** The used regions, in serpentine order on the core array. */
  rects: RegionRect[];
  peakBytesPerCore: number;
  fits: boolean;
}

/** The core array a placement cuts into regions (default: the machine's whole array). */
function coreArray(spec: MachineSpec, wafer: MeshShape | undefined): MeshShape {
  return wafer ?? { rows: spec.mesh.maxRows, cols: spec.mesh.maxCols };
}

/** Whole P×P regions a core array holds (default: the machine's). */
export function regionsAvailable(spec: MachineSpec, p: number, wafer?: MeshShape): number {
  return cutRegions(coreArray(spec, wafer), { rows: p, cols: p }).length;
}

export interface PlacementOptions {
  mesh: number; // side P of each square region
  context: number; // KV positions to hold (spread over all rows: the shift-based cache)
  convention?: Convention;
  /** The core array cut into P×P regions (default: the machine's whole array). */
  wafer?: MeshShape;
}

/**
 * Places the layers with arch's rule (placeLayerBlocks, the emulator's rule too): each region holds a
 * contiguous block of as many layers as its SRAM holds beside the scratch buffers and ⌈context/P⌉ KV positions
 * per layer; region 0 also holds the embedding table, and the classifier joins the last block if there is
 * room, else takes a region of its own.
 */
export function placeLayers(spec: MachineSpec, shape: ModelShape, opts: PlacementOptions): Placement {
  const p = meshSide(spec, opts.mesh);
  const conv = opts.convention ?? 'real';
  nonNegativeInt(opts.context, 'context length');
  const f = layerFootprint(spec, shape, p, conv);
  const positionsPerCore = maxBlock(opts.context, p);
  const all = cutRegions(coreArray(spec, opts.wafer), { rows: p, cols: p });
  const placed = placeLayerBlocks(shape.nLayers, all.length, {
    budget: spec.sramBytesPerCore,
    base: f.scratchBytes + positionsPerCore * f.dims.heads * spec.bytesPerElement, // scores
    layer: f.weightBytes + positionsPerCore * f.kvBytesPerPosition,
    embedding: f.embeddingBytes,
    classifier: f.classifierBytes,
    tiedSaving: f.tiedSavingBytes,
  });
  const needed = placed.regionsNeeded;
  return {
    p,
    footprint: f,
    positionsPerCore,
    regionsAvailable: all.length,
    layersPerRegion: placed.layersPerRegion,
    blocks: placed.blocks,
    classifierRegion: placed.classifierRegion,
    classifierOwnRegion: placed.classifierRegion > 0 && placed.classifierRegion === placed.blocks.length,
    regionsNeeded: needed,
    rects: Number.isFinite(needed) ? all.slice(0, needed) : [],
    peakBytesPerCore: placed.peakBytes,
    fits: placed.fits,
  };
}

/** Throws naming the shortfall when a placement does not fit the machine. */
export function requireFits(spec: MachineSpec, shape: ModelShape, pl: Placement): void {
  if (pl.fits) return;
  const why = pl.layersPerRegion === 0
    ? `not even one layer (${pl.footprint.weightBytes} weight bytes per core) fits in ${spec.sramBytesPerCore} bytes of SRAM`
    : `it needs ${pl.regionsNeeded} regions of ${pl.p}x${pl.p} (up to ${pl.layersPerRegion} layers each) but ${spec.name} has room for ${pl.regionsAvailable}`;
  throw new WaferError('DOES_NOT_FIT', `perf: ${shape.name} does not fit on ${spec.name} at ${pl.p}x${pl.p}: ${why}`);
}

/**
 * The decode hand-off of `values` per row from one region to the next (packages/llama/src/mesh/handoff.ts):
 * east or west, the edge column multicasts across the next region's C cores; south, each row's slice goes
 * R hops down and is multicast along the new row, whose farthest core is C − 1 hops away (row 0).
 */
export function handoffCycles(spec: MachineSpec, from: RegionRect, to: RegionRect, values: number): number {
  const c = linkCosts(spec);
  const leg = (hops: number) => c.alpha * hops + c.mu + ser(spec, values);
  return handoffSide(from, to) === 'south' ? leg(from.rows) + (to.cols > 1 ? leg(to.cols - 1) : 0) : leg(to.cols);
}

/** Every decode hand-off of a placement, in cycles (0 on one region). */
export function placementHandoffCycles(spec: MachineSpec, pl: Placement, values: number): number {
  let sum = 0;
  for (let r = 1; r < pl.rects.length; r++) sum += handoffCycles(spec, pl.rects[r - 1], pl.rects[r], values);
  return sum;
}

/**
 * Pipeline hand-off between adjacent regions (laid out in serpentine order): the edge core of each row sends
 * its activation slice [values] on a multicast route across the next region's P cores.
 */
export function regionHandoffCycles(spec: MachineSpec, p: number, values: number): number {
  const c = linkCosts(spec);
  return c.alpha * p + c.mu + ser(spec, values);
}
