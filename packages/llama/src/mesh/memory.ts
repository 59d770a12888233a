// SRAM needed per core by the decode layout, counted before anything is loaded, and the smallest square
// mesh that fits a machine's budget.

import type { MachineSpec } from '@wafer/arch';
import type { LlamaConfig } from '../model/types.js';
import { decodeLayout, type DecodeLayout } from './layout.js';

/** Values (not bytes) the busiest core holds: weights, KV cache and the working vectors. */
export function valuesPerCore(layout: DecodeLayout): number {
  let worst = 0;
  for (let y = 0; y < layout.rows; y++) {
    for (let x = 0; x < layout.cols; x++) worst = Math.max(worst, coreValues(layout, x, y));
  }
  return worst;
}

/** Values core (x, y) holds in the decode layout, by piece: what the region placement adds up. */
export interface CoreParts {
  layer: number; // one layer's weights and KV cache with positions
  working: number; // x, normed x, qkv, ffn, scores, logits
  embedding: number; // the embedding table's block
  classifier: number; // the final norm and the classifier's block
  tiedSaving: number; // the classifier's block when it is the embedding table (held once on one region)
}

export function coreParts(l: DecodeLayout, x: number, y: number): CoreParts {
  const d = l.dY.sizes[y];
  const b = l.kvX.sizes[x];
  const h = l.hX.sizes[x];
  const v = l.vX.sizes[x];
  const layer =
    2 * d + // attention and ffn norm weights
    d * (l.nrep + 2) * b + // fused q, k, v block
    l.nrep * b * d + // output projection block
    d * 2 * h + // fused gate and up block
    h * d + // down projection block
    2 * l.kvCapacity * (b + 1); // K and V cache with positions
  const working = 4 * d + (l.nrep + 2) * b + 2 * h + l.nHeads * l.kvCapacity + v;
  return { layer, working, embedding: d * v, classifier: d + d * v, tiedSaving: l.sharedClassifier ? d * v : 0 };
}

/** Values core (x, y) holds in the decode layout with every layer on the one mesh. */
export function coreValues(l: DecodeLayout, x: number, y: number): number {
  const c = coreParts(l, x, y);
  return l.nLayers * c.layer + c.embedding + c.classifier - c.tiedSaving + c.working;
}

export function bytesPerCore(layout: DecodeLayout, machine: MachineSpec): number {
  return valuesPerCore(layout) * machine.bytesPerElement;
}

/** The smallest P such that a P×P mesh holds the model within the machine's SRAM, or null if none does. */
export function smallestSquareMesh(config: LlamaConfig, machine: MachineSpec, freqs: Float32Array): number | null {
  const maxP = Math.min(machine.mesh.maxRows, machine.mesh.maxCols, config.dim, config.hiddenDim, (config.nKvHeads * config.headDim) / 2);
  for (let p = 1; p <= maxP; p++) {
    if (bytesPerCore(decodeLayout(config, { rows: p, cols: p }, freqs), machine) <= machine.sramBytesPerCore) return p;
  }
  return null;
}
