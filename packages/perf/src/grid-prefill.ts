// A prefill on its own grid, as packages/llama/src/mesh/grid-prefill.ts runs it: each prefill region's block of
// layers by MeshGEMM (prefill-batch.ts), the activation's hand-off from region to region, then the phase change
// (every moved layer's keys and values into its decode cache and, with one copy, its weights into the decode
// layout), then the decode step of the last prompt token on the decode regions. The relayouts' matrices come from
// the caller (the layouts are the mesh engine's), the timing from relayout.ts.

import type { LayerBlock, MachineSpec, MeshShape, RegionRect, RelayoutMatrix } from '@wafer/arch';
import type { AllreduceOptions } from './allreduce.js';
import { decodeStep, type DecodeStepBreakdown } from './decode-step.js';
import { elementwiseCycles } from './elementwise.js';
import { maxBlock } from './link-timing.js';
import type { ModelShape } from './model-shapes.js';
import { prefillBatch } from './prefill-batch.js';
import { relayoutCycles, type RelayoutStep, type RelayoutTiming } from './relayout.js';

/** The matrices each relayout of a grid prefill moves (built from the emulator's layouts). */
export interface GridMoves {
  /** The activation [tokens × dim] from one prefill region to the next. */
  handoff(from: RegionRect, to: RegionRect, tokens: number): RelayoutMatrix[];
  /** A layer's keys and values of a batch, from the prefill cores into its decode cache. */
  kv(layer: number, tokens: number): RelayoutMatrix[];
  /** A layer's moved weights, into the decode layout (or back). */
  weights(layer: number, toDecode: boolean): RelayoutMatrix[];
}

/** Where the layers live on the prefill grid, and what moves (a mesh engine's GridPlan carries all of it). */
export interface GridLayout {
  prefillSide: number; // P of the square prefill regions
  rects: RegionRect[]; // prefill regions (indexed by block.region)
  blocks: LayerBlock[];
  stash: number[]; // layers whose keys and values move to another grid
  moved: number[]; // layers whose weights move (one copy)
  decodeSide: number; // P of the square decode regions
}

export interface GridPrefillOptions extends AllreduceOptions {
  mesh: MeshShape; // the core array both grids are cut from
  layout: GridLayout;
  promptTokens: number; // T: the batch is T − 1 tokens, the last one runs through decode
  reservedContext?: number; // KV positions the decode placement reserves (default: the prompt)
}

export interface GridPrefillBreakdown {
  batchCycles: number[]; // per prefill block
  handoffCycles: number[]; // between consecutive blocks
  phaseChange: RelayoutTiming; // keys, values and weights into the decode grid
  lastToken: DecodeStepBreakdown;
  totalCycles: number; // time to first token
}

/** Modeled cycles of a prefill of `shape` on its own grid, to its first token. */
export function gridPrefill(spec: MachineSpec, shape: ModelShape, o: GridPrefillOptions, moves: GridMoves): GridPrefillBreakdown {
  const g = o.layout;
  const T = o.promptTokens;
  const batch = prefillBatch(spec, shape, g.prefillSide, T - 1, o);
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, v) => a + v, 0);
  const m = maxBlock(T - 1, g.prefillSide);
  const hs = 2 * maxBlock(shape.headDim / 2, g.prefillSide);
  // A stashed layer keeps its keys and values (two column cuts) instead of the phase change along X.
  const stashCycles = 2 * elementwiseCycles(spec, m * shape.nKvHeads * hs);
  const layerCycles = (l: number) => {
    const r = l === shape.nLayers - 1 ? batch.lastLayer : batch.layer;
    return sum(r) - (g.stash.includes(l) ? r.phaseChange - stashCycles : 0);
  };
  const batchCycles = g.blocks.map((b) => Array.from({ length: b.layers }, (_, i) => layerCycles(b.firstLayer + i)).reduce((a, v) => a + v, 0));
  const handoffCycles = g.blocks.slice(1).map((b, i) => relayoutCycles(spec, o.mesh, [{ mats: moves.handoff(g.rects[g.blocks[i].region], g.rects[b.region], T - 1) }]).totalCycles);
  const steps: RelayoutStep[] = [
    ...g.stash.map((l) => ({ mats: moves.kv(l, T - 1), after: (stored: number) => elementwiseCycles(spec, stored) })),
    ...g.moved.flatMap((l) => moves.weights(l, true).map((m) => ({ mats: [m] }))),
  ];
  const phaseChange = relayoutCycles(spec, o.mesh, steps);
  const lastToken = decodeStep(spec, shape, { mesh: g.decodeSide, context: T, convention: 'real', strategy: o.strategy, groups: o.groups, wafer: o.mesh, reservedContext: o.reservedContext });
  const totalCycles = batchCycles.reduce((a, v) => a + v, 0) + handoffCycles.reduce((a, v) => a + v, 0) + (steps.length > 0 ? phaseChange.totalCycles : 0) + lastToken.totalCycles;
  return { batchCycles, handoffCycles, phaseChange, lastToken, totalCycles };
}

/** Modeled cycles of moving the weights back into the prefill layout before the next prompt. */
export function weightsBackCycles(spec: MachineSpec, mesh: MeshShape, layout: GridLayout, moves: GridMoves): RelayoutTiming {
  return relayoutCycles(spec, mesh, layout.moved.flatMap((l) => moves.weights(l, false).map((m) => ({ mats: [m] }))));
}
