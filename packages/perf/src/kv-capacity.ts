// The longest decode output a wafer can hold (wafer-notes §4 "Shift-based KV cache"): with the layers
// spread over every region the machine has, the SRAM left beside the weights holds KV positions. A
// concatenated cache puts every new entry on one row of cores; the shift-based cache spreads them over all rows.

import type { MachineSpec } from '@wafer/arch';
import { WaferError } from '@wafer/arch';
import { meshSide, type Convention } from './layer-dims.js';
import { maxBlock, nonNegativeInt } from './link-timing.js';
import type { ModelShape } from './model-shapes.js';
import { layerFootprint, regionsAvailable } from './placement.js';
import type { KvCacheLayout } from './decode-layer.js';

export interface MaxOutputOptions {
  mesh: number;
  promptTokens: number; // positions prefill leaves in the cache, spread evenly over the rows
  cache: KvCacheLayout;
  convention?: Convention;
  /**
   * Which cores hold the model: 'regions' (default), whole P×P regions of the core array, as the emulator places
   * them; 'wafer', every core of the array (757×996 on WSE-2), each layer split over all of them, as the paper
   * would place them with even blocks (the busiest core counted, as everywhere here); 'pooled', the array's
   * total SRAM less the model's total weights, as if every byte could hold any value (the paper's "40 GB").
   */
  cores?: 'regions' | 'wafer' | 'pooled';
}

export interface MaxOutput {
  regions: number; // regions used, the classifier's own included
  layersPerRegion: number; // the busiest region's layers
  positionsPerCore: number; // KV positions one core has room for, for each of its layers
  maxContext: number; // prompt + output positions the cache can hold (0 when the prompt does not fit)
  maxOutputTokens: number; // new tokens before a core runs out of SRAM (0 when even the prompt does not fit)
  fits: boolean; // the weights fit at all
}

/**
 * Longest output after a `promptTokens` prompt. The layers are spread over every region the machine has:
 * one region holds the classifier (and the embedding table) beside k layers, the others share the rest
 * evenly; k is chosen to leave the most KV room on the fullest core. A position costs, per core, a K and V
 * entry for each of that core's layers plus one score slot per head. Shift-based: all P rows fill evenly,
 * so the cache holds P × positionsPerCore positions. Concatenated: the prompt fills ⌈prompt/P⌉ positions on
 * every row and every new token lands on the last row.
 */
export function maxDecodeOutput(spec: MachineSpec, shape: ModelShape, opts: MaxOutputOptions): MaxOutput {
  const p = meshSide(spec, opts.mesh);
  nonNegativeInt(opts.promptTokens, 'prompt tokens');
  if (opts.cache !== 'shift' && opts.cache !== 'concat') throw new WaferError('USAGE', `perf: KV cache layout must be 'shift' or 'concat', got '${String(opts.cache)}'`);
  if (opts.cores === 'wafer' || opts.cores === 'pooled') return waferOutput(spec, shape, opts, opts.cores === 'pooled');
  const f = layerFootprint(spec, shape, p, opts.convention ?? 'real');
  const available = regionsAvailable(spec, p);
  const L = shape.nLayers;
  // KV positions a core with `layers` layers (and maybe the classifier) has room for; −1 if the weights overflow.
  const positionsFor = (layers: number, classifier: boolean) => {
    const free = spec.sramBytesPerCore - f.scratchBytes - (classifier ? f.embeddingBytes + f.classifierBytes - f.tiedSavingBytes : 0) - layers * f.weightBytes;
    return free < 0 ? -1 : Math.floor(free / (layers * f.kvBytesPerPosition + f.dims.heads * spec.bytesPerElement));
  };
  let best = { regions: Math.min(available, L), layersPerRegion: Math.ceil(L / Math.max(1, available)), positionsPerCore: -1 };
  for (let k = available === 1 ? L : 0; available >= 1 && k <= L; k++) {
    const others = available - 1;
    if (others === 0 && k < L) continue;
    const perOther = others > 0 ? Math.ceil((L - k) / others) : 0;
    const positions = Math.min(positionsFor(k, true), perOther > 0 ? positionsFor(perOther, false) : Number.POSITIVE_INFINITY);
    if (positions > best.positionsPerCore) {
      const used = 1 + (perOther > 0 ? Math.ceil((L - k) / perOther) : 0);
      best = { regions: used, layersPerRegion: Math.max(k, perOther), positionsPerCore: positions };
    }
  }
  const fits = best.positionsPerCore >= 0;
  const positionsPerCore = Math.max(0, best.positionsPerCore);
  const promptPerRow = maxBlock(opts.promptTokens, p);
  const room = opts.cache === 'shift' ? positionsPerCore * p - opts.promptTokens : positionsPerCore - promptPerRow;
  const maxOutputTokens = Math.max(0, room);
  return {
    regions: best.regions,
    layersPerRegion: best.layersPerRegion,
    positionsPerCore,
    maxContext: room >= 0 ? opts.promptTokens + maxOutputTokens : 0,
    maxOutputTokens,
    fits,
  };
}

/**
 * The longest output with every layer split over the whole core array (rows × cols): per core, each layer's
 * blocks (embedding dim over the rows; kv units in pairs, hidden and vocabulary over the columns), the embedding
 * and classifier, the working vectors; what is left holds KV positions, spread over all rows by the shift cache.
 */
function waferOutput(spec: MachineSpec, shape: ModelShape, opts: MaxOutputOptions, pooled: boolean): MaxOutput {
  const R = spec.mesh.maxRows;
  const C = spec.mesh.maxCols;
  const paper = (opts.convention ?? 'real') === 'paper';
  const dim = shape.dim;
  const kvDim = paper ? dim : shape.nKvHeads * shape.headDim;
  const nrep = paper ? 1 : shape.nHeads / shape.nKvHeads;
  const heads = paper ? 1 : shape.nHeads;
  // Pooled: the mean core's share (fractions), else the busiest core's blocks.
  const block = (n: number, parts: number) => (pooled ? n / parts : maxBlock(n, parts));
  const d = block(dim, R);
  const kv = pooled ? kvDim / C : 2 * maxBlock(kvDim / 2, C);
  const h = block(shape.hiddenDim, C);
  const v = block(shape.vocabSize, C);
  const layer = 2 * d + d * (nrep + 2) * kv + nrep * kv * d + d * 2 * h + h * d;
  const fixed = 4 * d + (nrep + 2) * kv + 2 * h + v + d + d * v * (shape.sharedClassifier ? 1 : 2);
  const L = shape.nLayers;
  const free = spec.sramBytesPerCore - (fixed + L * layer) * spec.bytesPerElement;
  const perPosition = (L * 2 * (kv + 1) + heads) * spec.bytesPerElement;
  const positionsPerCore = free < 0 ? 0 : Math.floor(free / perPosition);
  const room = opts.cache === 'shift' ? positionsPerCore * R - opts.promptTokens : positionsPerCore - maxBlock(opts.promptTokens, R);
  const maxOutputTokens = Math.max(0, room);
  return { regions: 1, layersPerRegion: L, positionsPerCore, maxContext: room >= 0 ? opts.promptTokens + maxOutputTokens : 0, maxOutputTokens, fits: free >= 0 };
}
