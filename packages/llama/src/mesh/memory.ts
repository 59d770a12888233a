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

/** Values core (x, y) holds in the decode layout: weights, KV cache and the working vectors. */
export function coreValues(l: DecodeLayout, x: number, y: number): number {
  const d = l.dY.sizes[y];
  const b = l.kvX.sizes[x];
  const h = l.hX.sizes[x];
  const v = l.vX.sizes[x];
  const perLayer =
    2 * d + // attention and ffn norm weights
    d * (l.nrep + 2) * b + // fused q, k, v block
    l.nrep * b * d + // output projection block
    d * 2 * h + // fused gate and up block
    h * d + // down projection block
    2 * l.kvCapacity * (b + 1); // K and V cache with positions
  const classifier = d + d * v * (l.sharedClassifier ? 1 : 2); // final norm, classifier (and the embedding if separate)
  const working = 4 * d + (l.nrep + 2) * b + 2 * h + l.nHeads * l.kvCapacity + v; // x, normed x, qkv, ffn, scores, logits
  return l.nLayers * perLayer + classifier + working;
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
