// Host memory a placement takes, counted before the fabric starts, so the mesh engine can refuse a model or
// mesh that would not fit in this process (HOST_MEMORY) instead of being killed halfway through loading.

import type { MeshShape } from '@wafer/arch';
import { fabricHostBytes } from '@wafer/fabric';
import type { DecodeLayout } from './layout.js';
import { coreValues } from './memory.js';
import { prefillWeightValues } from './prefill-memory.js';
import type { PrefillLayout } from './prefill-layout.js';

/** Bytes of one value in the emulator's memory (the machine's SRAM stores fp16; the emulator float32). */
const FLOAT32_BYTES = 4;
/** Copies of a matrix in flight while it is placed: per-tile blocks, the packed message, its copy, the unpacked blocks. */
const STAGING_COPIES = 4;

/**
 * Host bytes the mesh engine adds when it places a model with `layout` (and the MeshGEMM prefill's weights
 * when `prefill` is given) on `threads` worker threads: every core's weights, KV cache and vectors as float32
 * in its thread's local heap, the staging copies of the largest placed matrix (built per tile, packed,
 * copied and unpacked: four at once), and the fabric's own state. The model the host already holds is not
 * counted. `mesh` is the fabric's whole mesh when the layout is one region's (default: the layout's).
 */
export function placementHostBytes(layout: DecodeLayout, threads: number, prefill?: { pre: PrefillLayout }, mesh: MeshShape = layout): number {
  let values = 0;
  for (let y = 0; y < layout.rows; y++) {
    for (let x = 0; x < layout.cols; x++) {
      values += coreValues(layout, x, y) + (prefill ? prefillWeightValues(layout, prefill.pre, x, y) : 0);
    }
  }
  const largestMatrix = Math.max(2 * layout.dim * layout.hidden, layout.dim * layout.vocab);
  return FLOAT32_BYTES * (values + STAGING_COPIES * largestMatrix) + fabricHostBytes({ rows: mesh.rows, cols: mesh.cols }, threads);
}
