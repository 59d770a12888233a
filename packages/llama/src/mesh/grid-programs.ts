// The core programs of a prefill on its own grid: one prefill region's block of layers, the activation's hand-off
// to the next prefill region, and the phase change into the decode grid: every stashed layer's keys and values
// into its decode cache and, when the chip keeps one copy of the weights, every layer's weights into the decode
// layout (or back before the next prompt), all as relayouts over the fabric.

import { elementwiseCost, PHASE, type Core, type CoreStep, type RegionRect } from '@wafer/arch';
import { relayout } from '@wafer/kernels';
import { kvSlice } from './kv-cache.js';
import { rowCount, type DecodeLayout } from './layout.js';
import { prefillProgram, type PrefillArgs } from './prefill-program.js';
import type { PrefillLayout } from './prefill-layout.js';
import { regionView } from './region-core.js';
import { activationMove, gridMoves, MOVED_WEIGHTS, type WeightName } from './weight-blocks.js';

type Gen<T = void> = Generator<CoreStep, T, Float32Array>;

const RELAYOUT = 0; // colours 0..3: each of these programs runs alone

function inside(core: Core, r: RegionRect): boolean {
  return core.x >= r.x0 && core.x < r.x0 + r.cols && core.y >= r.y0 && core.y < r.y0 + r.rows;
}

/** One prefill region's layers first..first+count-1 on its cores (the rest of the mesh waits). */
export function* regionPrefillProgram(core: Core, a: PrefillArgs & { rect: RegionRect }): Gen {
  if (inside(core, a.rect)) yield prefillProgram(regionView(core, a.rect), a);
}

/** The activation 'pf.x' of a batch of `tokens` from prefill region `from` to prefill region `to`. */
export function* handoffProgram(core: Core, a: { pre: PrefillLayout; tokens: number; from: RegionRect; to: RegionRect }): Gen {
  core.phase(PHASE.regionHandoff);
  yield relayout(core, [activationMove(a.pre, a.tokens, a.from, a.to)], ['pf.x'], ['pf.x'], RELAYOUT, a);
}

/** The layouts of both grids and where each layer lives on them. */
export interface GridArgs {
  dec: DecodeLayout;
  pfl: DecodeLayout;
  pre: PrefillLayout;
  decRects: RegionRect[]; // per layer
  preRects: RegionRect[]; // per layer
}

export interface PhaseChangeArgs extends GridArgs {
  /** Layers whose stashed keys and values ('pk<l>', 'pv<l>') go into their decode caches; the batch's size. */
  kvLayers: number[];
  tokens: number;
  /** Layers whose weights move, and which way. */
  weightLayers: number[];
  toDecode: boolean;
}

const NAMES: Record<WeightName, [string, string]> = { qkv: ['wqkv', 'wqkv'], o: ['wo', 'wo'], gu: ['w13', 'w13'], down: ['w2', 'w2'] };

/** The phase change between the grids, layer by layer and matrix by matrix (so the two layouts never coexist beyond one matrix in transit). */
export function* phaseChangeProgram(core: Core, a: PhaseChangeArgs): Gen {
  core.phase(PHASE.phaseChange);
  const moves = gridMoves(a);
  for (const layer of a.kvLayers) {
    yield relayout(core, moves.kv(layer, a.tokens), [`pk${layer}`, `pv${layer}`], ['rl.k', 'rl.v'], RELAYOUT, a, `kv${layer}`);
    if (inside(core, a.decRects[layer])) storeKv(regionView(core, a.decRects[layer]), a.dec, layer, a.tokens);
  }
  for (const layer of a.weightLayers) {
    const names = (side: 0 | 1) => MOVED_WEIGHTS.map((w) => `${side === 0 ? 'P' : 'L'}${layer}.${NAMES[w][side]}`);
    const [from, to] = a.toDecode ? [names(0), names(1)] : [names(1), names(0)];
    // One matrix at a time: a core never holds more than one matrix's share in transit.
    const mats = moves.weights(layer, a.toDecode);
    for (let k = 0; k < mats.length; k++) yield relayout(core, [mats[k]], [from[k]], [to[k]], RELAYOUT, a, `w${layer}.${k}`);
  }
}

/** Copies the relayout's [count × b] keys and values of a decode core into its cache slice of `layer`. */
function storeKv(core: Core, l: DecodeLayout, layer: number, tokens: number): void {
  const b = l.kvX.sizes[core.x];
  const count = rowCount(tokens, core.rows, core.y);
  let first = 0;
  for (let y = 0; y < core.y; y++) first += rowCount(tokens, core.rows, y);
  const cache = kvSlice(core, layer, l.kvCapacity, b, tokens);
  cache.keys.set(core.buffer('rl.k'));
  cache.values.set(core.buffer('rl.v'));
  for (let t = 0; t < count; t++) cache.positions[t] = first + t;
  cache.countCell[0] = count;
  if (count > 0) core.compute(elementwiseCost(2 * count * b));
  core.free('rl.k');
  core.free('rl.v');
}
