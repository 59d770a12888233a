// Layers across the wafer (wafer-notes §4): bytes per core of one layer's weights, KV cache and scratch on
// a P×P region; how many layers a region holds under the SRAM budget; contiguous blocks of layers over the
// regions the wafer has; and the pipeline hand-off of the activation from one region to the next.

import { WaferError, type MachineSpec } from '@wafer/arch';
import { layerDims, meshSide, type Convention, type LayerDims } from './layer-dims.js';
import { linkCosts, maxBlock, nonNegativeInt, ser } from './link-timing.js';
import type { ModelShape } from './model-shapes.js';

/** Bytes one core holds for one layer, and the per-core extras, on a P×P region. */
export interface LayerFootprint {
  dims: LayerDims;
  weightBytes: number; // fused q|k|v, output, fused gate|up and down blocks, the two norm slices
  kvBytesPerPosition: number; // one KV position of this layer on one core (K and V units, position)
  scratchBytes: number; // working vectors (per core, shared by all layers), besides per-position scores
  classifierBytes: number; // the classifier's block, the final norm slice, the embedding if separate
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
    classifierBytes: (dm.d + dm.d * v * (shape.sharedClassifier ? 1 : 2)) * b,
  };
}

/** A contiguous block of layers on one region. */
export interface RegionBlock {
  region: number;
  firstLayer: number;
  layers: number;
}

export interface Placement {
  p: number;
  footprint: LayerFootprint;
  positionsPerCore: number; // KV positions each core holds for each of its layers
  regionsAvailable: number; // whole P×P regions on the machine
  layersPerRegion: number; // as many as the SRAM budget allows (0: not even one layer fits)
  blocks: RegionBlock[];
  classifierOwnRegion: boolean; // the classifier did not fit beside the last block
  regionsNeeded: number;
  peakBytesPerCore: number;
  fits: boolean;
}

/** Whole P×P regions a machine's core array holds. */
export function regionsAvailable(spec: MachineSpec, p: number): number {
  return Math.floor(spec.mesh.maxRows / p) * Math.floor(spec.mesh.maxCols / p);
}

export interface PlacementOptions {
  mesh: number;
  context: number; // KV positions to hold (spread over all rows: the shift-based cache)
  convention?: Convention;
}

/**
 * Places the layers in as few regions as the SRAM budget allows: each region holds a contiguous block of
 * the most layers whose weights and KV cache (⌈context/P⌉ positions per core) fit beside the scratch
 * buffers; the classifier joins the last block if there is room, else takes a region of its own.
 */
export function placeLayers(spec: MachineSpec, shape: ModelShape, opts: PlacementOptions): Placement {
  const p = meshSide(spec, opts.mesh);
  const conv = opts.convention ?? 'real';
  nonNegativeInt(opts.context, 'context length');
  const f = layerFootprint(spec, shape, p, conv);
  const positionsPerCore = maxBlock(opts.context, p);
  const perLayer = f.weightBytes + positionsPerCore * f.kvBytesPerPosition;
  const room = spec.sramBytesPerCore - f.scratchBytes - positionsPerCore * f.dims.heads * spec.bytesPerElement; // scores
  const layersPerRegion = room > 0 ? Math.min(shape.nLayers, Math.floor(room / perLayer)) : 0;
  const blocks: RegionBlock[] = [];
  for (let first = 0; layersPerRegion > 0 && first < shape.nLayers; first += layersPerRegion) {
    blocks.push({ region: blocks.length, firstLayer: first, layers: Math.min(layersPerRegion, shape.nLayers - first) });
  }
  const lastLayers = blocks.length > 0 ? blocks[blocks.length - 1].layers : 0;
  const classifierOwnRegion = f.scratchBytes + lastLayers * perLayer + f.classifierBytes > spec.sramBytesPerCore;
  const regionsNeeded = blocks.length + (classifierOwnRegion ? 1 : 0);
  const available = regionsAvailable(spec, p);
  const peakBytesPerCore = layersPerRegion === 0 ? f.scratchBytes + perLayer : f.scratchBytes + layersPerRegion * perLayer + (classifierOwnRegion || lastLayers < layersPerRegion ? 0 : f.classifierBytes);
  return {
    p,
    footprint: f,
    positionsPerCore,
    regionsAvailable: available,
    layersPerRegion,
    blocks,
    classifierOwnRegion,
    regionsNeeded,
    peakBytesPerCore,
    fits: layersPerRegion > 0 && regionsNeeded <= available,
  };
}

/** Throws naming the shortfall when a placement does not fit the machine. */
export function requireFits(spec: MachineSpec, shape: ModelShape, pl: Placement): void {
  if (pl.fits) return;
  const why = pl.layersPerRegion === 0
    ? `not even one layer (${pl.footprint.weightBytes} weight bytes per core) fits in ${spec.sramBytesPerCore} bytes of SRAM`
    : `it needs ${pl.regionsNeeded} regions of ${pl.p}x${pl.p} (${pl.layersPerRegion} layers each) but ${spec.name} has room for ${pl.regionsAvailable}`;
  throw new WaferError('DOES_NOT_FIT', `perf: ${shape.name} does not fit on ${spec.name} at ${pl.p}x${pl.p}: ${why}`);
}

/**
 * Pipeline hand-off between adjacent regions (laid out in serpentine order): the edge core of each row sends
 * its activation slice [values] on a multicast route across the next region's P cores.
 */
export function regionHandoffCycles(spec: MachineSpec, p: number, values: number): number {
  const c = linkCosts(spec);
  return c.alpha * p + c.mu + ser(spec, values);
}
