// Host side of a region plan: each layer's decode blocks go to the cores of its region only (in the region's
// local coordinates), the embedding table to region 0 and the final norm and classifier to the classifier's
// region. A tied embedding table is placed twice when those regions differ: the chip has no shared memory.

import type { RegionRect } from '@wafer/arch';
import type { ModelDescription } from '../model/types.js';
import type { DecodeLayout } from './layout.js';
import { placeClassifier, placeEmbedding, placeLayerWeights, type Placer } from './place-weights.js';
import type { RegionPlan } from './region-plan.js';

/** A placer that puts blocks, given in `rect`'s local coordinates, on that rectangle's cores only. */
export function regionPlacer(mesh: Placer, rect: RegionRect): Placer {
  return {
    place: (name, block) =>
      mesh.place(name, (x, y) => {
        const lx = x - rect.x0;
        const ly = y - rect.y0;
        return lx >= 0 && lx < rect.cols && ly >= 0 && ly < rect.rows ? block(lx, ly) : undefined;
      }),
  };
}

/** The embedding table's buffer name on region 0: the classifier's own when it is tied and on that region. */
export function embeddingBuffer(l: DecodeLayout, plan: RegionPlan): string {
  return l.sharedClassifier && plan.classifierRegion === 0 ? 'wcls' : 'embd';
}

/**
 * Places every weight of a region plan; layers for which `normsOnly` says so get only their norm vectors (their
 * matrices arrive in the decode layout by relayout, from the prefill layout they start in).
 */
export async function placeRegionWeights(mesh: Placer, model: ModelDescription, l: DecodeLayout, plan: RegionPlan, normsOnly: (layer: number) => boolean = () => false): Promise<void> {
  for (const block of plan.blocks) {
    const placer = regionPlacer(mesh, plan.rects[block.region]);
    for (let layer = block.firstLayer; layer < block.firstLayer + block.layers; layer++) await placeLayerWeights(placer, model, l, layer, normsOnly(layer));
  }
  await placeClassifier(regionPlacer(mesh, plan.rects[plan.classifierRegion]), model, l);
  const embd = embeddingBuffer(l, plan);
  if (embd === 'embd') await placeEmbedding(regionPlacer(mesh, plan.rects[0]), model, l, embd);
}
