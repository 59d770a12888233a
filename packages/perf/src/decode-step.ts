// One decode step (one new token, batch 1) of a whole model, as packages/llama/src/mesh/decode-program.ts
// runs it: the embedding multicast, every layer, region hand-offs, the final norm and the classifier GEMV;
// or, under the 'paper' convention, the authors' timing: one layer × the layer count.

import type { MachineSpec, MeshShape } from '@wafer/arch';
import { allreduceCycles } from './allreduce.js';
import { decodeLayer, type DecodeLayerBreakdown, type DecodeLayerOptions } from './decode-layer.js';
import { elementwiseCycles, localGemvCycles } from './elementwise.js';
import { energyJoules, secondsOf } from './energy.js';
import { checkConvention } from './layer-dims.js';
import { linkCosts, maxBlock, ser } from './link-timing.js';
import type { ModelShape } from './model-shapes.js';
import { placeLayers, placementHandoffCycles, requireFits, type Placement } from './placement.js';

export type DecodeStepOptions = Omit<DecodeLayerOptions, 'handoffHops'> & {
  /** The core array cut into P×P regions (default: the machine's whole array). */
  wafer?: MeshShape;
  /** KV positions the placement reserves per layer (default: context; the emulator reserves the model's seqLen). */
  reservedContext?: number;
};

export interface DecodeStepBreakdown {
  layer: DecodeLayerBreakdown; // every layer costs the same
  layers: number;
  layerCycles: number; // layer.totalCycles × layers
  placement: Placement | null; // null under 'paper' (the authors time one layer and multiply)
  embedCycles: number; // the token's embedding row multicast along every row from its owner column
  handoffCycles: number; // region to region, and into the classifier's region if it has its own
  classifierCycles: number; // final RMSNorm and the vocabulary GEMV
  totalCycles: number;
  seconds: number;
  tokensPerSecond: number;
  joulesPerToken: number;
}

/** Modeled cycles of one decode step of `shape` on P×P regions with `context` positions in the KV cache. */
export function decodeStep(spec: MachineSpec, shape: ModelShape, opts: DecodeStepOptions): DecodeStepBreakdown {
  const conv = checkConvention(opts.convention);
  const layer = decodeLayer(spec, shape, { ...opts, handoffHops: 0 });
  const layerCycles = layer.totalCycles * shape.nLayers;
  let placement: Placement | null = null;
  let handoffCycles = 0;
  let classifierCycles = 0;
  let embedCycles = 0;
  if (conv === 'real') {
    placement = placeLayers(spec, shape, { mesh: opts.mesh, context: opts.reservedContext ?? opts.context, convention: conv, wafer: opts.wafer });
    requireFits(spec, shape, placement);
    const p = placement.p;
    const d = layer.dims.d;
    handoffCycles = placementHandoffCycles(spec, placement, d);
    // The owner column copies the row out of its table and multicasts it; the farthest core is P−1 hops away.
    embedCycles = elementwiseCycles(spec, d, 1) + linkCosts(spec).alpha * (p - 1) + linkCosts(spec).mu + ser(spec, d);
    // Final RMSNorm (as the layers' step 1), then logits = x·Wclsᵀ with the reduction along Y.
    const vocabBlock = maxBlock(shape.vocabSize, p);
    classifierCycles =
      elementwiseCycles(spec, d, 2) + allreduceCycles(spec, p, 1, opts) + elementwiseCycles(spec, d, 2) +
      localGemvCycles(spec, d, vocabBlock) + allreduceCycles(spec, p, vocabBlock, opts);
  }
  const totalCycles = embedCycles + layerCycles + handoffCycles + classifierCycles;
  const seconds = secondsOf(spec, totalCycles);
  return {
    layer,
    layers: shape.nLayers,
    layerCycles,
    placement,
    embedCycles,
    handoffCycles,
    classifierCycles,
    totalCycles,
    seconds,
    tokensPerSecond: 1 / seconds,
    joulesPerToken: energyJoules(spec, totalCycles),
  };
}
