// Host side of a prefill on its own grid (--prefill-region, --decode-region): the P×P prefill regions are cut
// from the same mesh as the decode regions and hold the layers in the MeshGEMM layout, as many per region as fit
// beside what the decode side keeps there. The chip keeps one copy of each layer's weights unless SRAM holds both
// layouts: then the phase change after the prompt moves them into the decode layout, and the next prompt moves them
// back first. Keys and values go from the prefill cores into their decode caches by the phase change too, unless a
// layer's prefill and decode regions coincide (then the classic phase change along X does it inside the batch).

import { cutRegions, pieceSize, RelayoutPlan, usageError, WaferError, type LayerBlock, type MachineSpec, type MeshShape, type RegionRect } from '@wafer/arch';
import type { Fabric, RunReport } from '@wafer/fabric';
import type { AllreduceStrategy } from '@wafer/kernels';
import type { ModelDescription } from '../model/types.js';
import { ropeFrequencies } from '../reference/rope.js';
import { decodeLayout, type DecodeLayout } from './layout.js';
import { coreParts } from './memory.js';
import { placePrefillWeights } from './place-prefill-weights.js';
import type { Placer } from './place-weights.js';
import type { GridArgs, PhaseChangeArgs } from './grid-programs.js';
import { prefillLayout, tokenSplit } from './prefill-layout.js';
import { prefillLayerValues, prefillWorkingValues } from './prefill-memory.js';
import { planPrefill, type PrefillChoice, type PrefillPlan } from './prefill-host.js';
import type { RegionPlan } from './region-plan.js';
import { regionPlacer } from './region-place.js';
import { gridMoves } from './weight-blocks.js';

/** How a prefill grid sits beside the decode regions. */
export interface GridPlan extends GridArgs {
  region: MeshShape;
  rects: RegionRect[]; // used prefill regions, serpentine order
  blocks: LayerBlock[]; // per prefill region
  /**
   * 'both': each layer's weights stay in both layouts; 'one': one copy, moved by the phase change. An engine
   * whose prompt does not fit beside both copies drops the decode copies and continues with one (for good).
   */
  copies: 'both' | 'one';
  stash: number[]; // layers whose keys and values move to another grid
  embedding: Float32Array; // [vocab × dim] the host streams the prompt's rows from
  /** Whether one copy of the weights fits while it moves (else the engine keeps both or runs prompts token by token). */
  canMove: boolean;
  /** Planned bytes per core: per prefill region, the decode state kept beside the prefill (both copies or one); each layer's prefill weights. */
  reserveBytes: { both: number[]; one: number[] };
  layerBytes: number[];
}

/** The plan as the analytical model takes it (@wafer/perf GridLayout); needs square decode regions. */
export function gridLayoutOf(p: GridPlan) {
  return { prefillSide: p.pre.P, rects: p.rects, blocks: p.blocks, stash: p.stash, moved: movedLayers(p), decodeSide: p.dec.rows };
}

/** The moved layers (every layer but the last: prefill computes only the last layer's keys and values). */
export function movedLayers(p: GridPlan, copies = p.copies): number[] {
  return copies === 'one' ? Array.from({ length: p.dec.nLayers - 1 }, (_, i) => i) : [];
}

function rectsPerLayer(rects: RegionRect[], blocks: LayerBlock[], layers: number): RegionRect[] {
  const out: RegionRect[] = new Array(layers);
  for (const b of blocks) for (let l = b.firstLayer; l < b.firstLayer + b.layers; l++) out[l] = rects[b.region];
  return out;
}

const same = (a: RegionRect, b: RegionRect) => a.x0 === b.x0 && a.y0 === b.y0 && a.rows === b.rows && a.cols === b.cols;

/**
 * Plans the prefill grid: prefill regions of `region` (square) over `mesh`, holding the layers as MeshGEMM needs
 * them beside the busiest decode region's state (its KV caches, norms, embedding and classifier, and its decode
 * weights too when both copies fit). Returns a note instead when the prefill cannot run ('auto') or throws
 * ('meshgemm').
 */
export function planGrid(model: ModelDescription, mesh: MeshShape, region: MeshShape, dec: DecodeLayout, decPlan: RegionPlan, machine: MachineSpec, sramUnlimited: boolean, choice: PrefillChoice, oneCopy = false): { plan?: GridPlan; note?: string } {
  if (region.rows !== region.cols) throw usageError(`--prefill-region ${region.rows}x${region.cols}: the MeshGEMM prefill needs square P×P regions`);
  const pfl = decodeLayout(model.config, region, ropeFrequencies(model.config), '--prefill-region');
  const pre = prefillLayout(pfl);
  const P = pre.P;
  const all = cutRegions(mesh, region);
  const bytes = machine.bytesPerElement;
  // Room is kept for a batch of up to 4 tokens per row; a longer prompt runs by MeshGEMM if it still fits.
  const nominal = Math.min(model.config.seqLen - 1, 4 * P);
  let layerValues = 0;
  let lastValues = 0;
  let working = 0;
  for (let y = 0; y < P; y++) {
    for (let x = 0; x < P; x++) {
      layerValues = Math.max(layerValues, prefillLayerValues(pfl, pre, x, y, false));
      lastValues = Math.max(lastValues, prefillLayerValues(pfl, pre, x, y, true));
      working = Math.max(working, prefillWorkingValues(pfl, pre, nominal, x, y));
    }
  }
  // What the decode side keeps on a core while the prefill runs: its regions' bytes without the decode program's
  // working vectors (decode is not running) and, with one copy, without the weights that move.
  const c = coreParts(dec, 0, 0);
  const decodeWeights = c.layer - 2 * dec.kvCapacity * (dec.kvX.sizes[0] + 1) - 2 * dec.dY.sizes[0];
  const moved = (r: number) => {
    const b = decPlan.blocks[r];
    return b.layers - (b.firstLayer + b.layers === dec.nLayers ? 1 : 0);
  };
  const kept = decPlan.regionBytes.map((v) => v - c.working * bytes);
  const keptOne = kept.map((v, r) => v - moved(r) * decodeWeights * bytes);
  // Per prefill region: the most any decode region it overlaps keeps there.
  const over = (p: RegionRect, d: RegionRect) => p.x0 < d.x0 + d.cols && d.x0 < p.x0 + p.cols && p.y0 < d.y0 + d.rows && d.y0 < p.y0 + p.rows;
  const reserveOf = (v: number[]) => all.map((p) => Math.max(0, ...decPlan.rects.map((d, r) => (over(p, d) ? v[r] : 0))));
  const reserve = { both: reserveOf(kept), one: reserveOf(keptOne) };
  const budget = sramUnlimited ? Number.MAX_SAFE_INTEGER : machine.sramBytesPerCore;
  const layerBytes = (l: number) => (l === dec.nLayers - 1 ? lastValues : layerValues) * bytes;
  let transit = 0;
  for (const copies of oneCopy ? (['one'] as const) : (['both', 'one'] as const)) {
    const blocks = prefillBlocks(dec.nLayers, all.length, (r) => budget - reserve[copies][r] - working * bytes, layerBytes);
    if (blocks === null) continue;
    const rects = all.slice(0, blocks[blocks.length - 1].region + 1);
    const decRects = rectsPerLayer(decPlan.rects, decPlan.blocks, dec.nLayers);
    const preRects = rectsPerLayer(rects, blocks, dec.nLayers);
    // With one copy, while the weights move a core may hold some layers in each layout and one matrix in transit.
    transit = sramUnlimited ? 0 : transitBytes(mesh, { dec, pfl, pre, decRects, preRects }, bytes);
    // A core of prefill region b and decode region d holds each layer in one layout at a time: the larger of its
    // prefill weights (a layer of b) and its moved decode weights (a layer of d), per layer.
    const inBlock = (k: LayerBlock, l: number) => l >= k.firstLayer && l < k.firstLayer + k.layers;
    const heldBy = (b: LayerBlock, r: number) => {
      let sum = 0;
      for (let l = 0; l < dec.nLayers - 1; l++) sum += Math.max(inBlock(b, l) ? layerValues : 0, inBlock(decPlan.blocks[r], l) ? decodeWeights : 0) * bytes;
      return keptOne[r] + sum;
    };
    const moving = Math.max(...blocks.flatMap((b) => decPlan.rects.map((d, r) => (over(all[b.region], d) ? heldBy(b, r) : 0)))) + transit;
    const canMove = moving <= budget;
    if (copies === 'one' && !canMove) continue;
    const stash = decRects.map((r, l) => (same(r, preRects[l]) && pfl.rows === dec.rows ? -1 : l)).filter((l) => l >= 0);
    const embedding = model.tensors.get('token_embd')?.data;
    if (embedding === undefined) throw new Error('missing tensor token_embd');
    return { plan: { region, rects, blocks, copies, canMove, stash, embedding, dec, pfl, pre, decRects, preRects, reserveBytes: reserve, layerBytes: Array.from({ length: dec.nLayers }, (_, l) => layerBytes(l)) } };
  }
  const what = `the MeshGEMM prefill on ${P}x${P} regions needs ${layerValues * bytes} bytes per core per layer beside up to ${Math.max(...reserve.one)} bytes of decode state${transit > 0 ? ` (and ${transit} in transit while one copy of the weights moves)` : ''}, over machine ${machine.name}'s ${machine.sramBytesPerCore} in the ${all.length} regions the mesh has`;
  if (choice === 'meshgemm') throw new WaferError('DOES_NOT_FIT', `${what} (use --prefill decode, a larger --prefill-region or --sram unlimited)`);
  return { note: `${what}: the prompt runs token by token` };
}

/**
 * Layers in order onto prefill regions, as many per region as its `room` bytes per core hold (arch's rule, with the
 * last layer's smaller prefill weights: keys and values only); null when `available` regions are not enough.
 */
function prefillBlocks(layers: number, available: number, room: (region: number) => number, bytesOf: (layer: number) => number): LayerBlock[] | null {
  const blocks: LayerBlock[] = [];
  let next = 0;
  while (next < layers) {
    if (blocks.length === available) return null;
    let used = 0;
    let n = 0;
    while (next + n < layers && used + bytesOf(next + n) <= room(blocks.length)) used += bytesOf(next + n++);
    blocks.push({ region: blocks.length, firstLayer: next, layers: n });
    next += n;
  }
  return blocks.filter((b) => b.layers > 0); // a region with no room beside the decode state holds no layer
}

/**
 * The most bytes a core holds in transit while one weight matrix moves (either way): what it keeps between the
 * relayout's two stages plus its destination block, from arch's relayout plan of every moved layer's matrices.
 */
function transitBytes(mesh: MeshShape, g: Parameters<typeof gridMoves>[0], bytes: number): number {
  const moves = gridMoves(g);
  const pairs = new Map<string, number>(); // one layer per distinct pair of regions
  g.decRects.forEach((d, l) => {
    if (l < g.dec.nLayers - 1) pairs.set(`${d.x0},${d.y0},${g.preRects[l].x0},${g.preRects[l].y0}`, l);
  });
  let worst = 0;
  for (const l of pairs.values()) {
    for (const toDecode of [true, false]) {
      for (const m of moves.weights(l, toDecode)) {
        const plan = new RelayoutPlan([m], mesh.rows, mesh.cols);
        for (let y = 0; y < mesh.rows; y++) {
          for (let x = 0; x < mesh.cols; x++) {
            let held = 0;
            for (let xs = 0; xs < mesh.cols; xs++) held += pieceSize(plan.piece1(0, xs, y, x));
            const d = m.dst(x, y);
            worst = Math.max(worst, held + (d === null ? 0 : d.rows.length * d.cols.length));
          }
        }
      }
    }
  }
  return worst * bytes;
}

/** Bytes per core a batch of `tokens` needs on the busiest prefill core (planned, as prefill-memory.ts counts). */
export function gridBatchBytes(p: GridPlan, tokens: number, machine: MachineSpec, copies = p.copies): number {
  let working = 0;
  for (let y = 0; y < p.pre.P; y++) for (let x = 0; x < p.pre.P; x++) working = Math.max(working, prefillWorkingValues(p.pfl, p.pre, tokens, x, y));
  const weights = (b: LayerBlock) => p.layerBytes.slice(b.firstLayer, b.firstLayer + b.layers).reduce((a, v) => a + v, 0);
  return Math.max(...p.blocks.map((b) => p.reserveBytes[copies][b.region] + weights(b))) + working * machine.bytesPerElement;
}

/** Whether a batch of `tokens` fits beside the grid's weights; an explicit 'meshgemm' that does not fit throws. */
export function gridBatchFits(p: GridPlan, choice: PrefillChoice, machine: MachineSpec, tokens: number, sramUnlimited: boolean): { fits: boolean; copies?: 'both' | 'one'; note?: string } {
  if (sramUnlimited) return { fits: true, copies: p.copies };
  for (const copies of p.copies === 'both' ? (p.canMove ? (['both', 'one'] as const) : (['both'] as const)) : (['one'] as const)) {
    if (gridBatchBytes(p, tokens, machine, copies) <= machine.sramBytesPerCore) return { fits: true, copies };
  }
  const need = gridBatchBytes(p, tokens, machine, 'one');
  const what = `a MeshGEMM prefill of ${tokens} tokens needs ${need} bytes per core on ${p.pre.P}x${p.pre.P} prefill regions, over machine ${machine.name}'s ${machine.sramBytesPerCore}`;
  if (choice === 'meshgemm') throw new WaferError('DOES_NOT_FIT', `${what} (use --prefill decode, a larger --prefill-region or --sram unlimited)`);
  return { fits: false, note: `${what}: the prompt ran token by token` };
}

/**
 * The prefill decision of an engine with regions: the classic MeshGEMM prefill (both layouts on the decode mesh,
 * keys and values moved along X) when everything is one region of the whole mesh and both layouts fit; else the
 * prefill on its own grid, or token by token.
 */
export function planRegionPrefill(model: ModelDescription, o: { mesh: MeshShape; prefillRegion?: MeshShape; region?: MeshShape; machine: MachineSpec; sramUnlimited?: boolean; weightCopies?: 'fit' | 'one' }, dec: DecodeLayout, decPlan: RegionPlan, choice: PrefillChoice): { plan: PrefillPlan; grid?: GridPlan } {
  if (choice === 'decode') return { plan: { choice, mode: 'decode' } };
  const region = o.prefillRegion ?? o.region ?? o.mesh;
  const sramUnlimited = o.sramUnlimited ?? false;
  if (region.rows !== region.cols) {
    const what = `the MeshGEMM prefill needs square regions (${region.rows}x${region.cols}; set --prefill-region P)`;
    if (choice === 'meshgemm') throw usageError(what);
    return { plan: { choice, mode: 'decode', note: `${what}: the prompt runs token by token` } };
  }
  const oneCopy = o.weightCopies === 'one';
  if (!oneCopy && decPlan.whole && region.rows === o.mesh.rows && region.cols === o.mesh.cols) {
    const classic = planPrefill(model, dec, o.machine, choice === 'meshgemm' ? 'auto' : choice, sramUnlimited);
    if (classic.mode === 'meshgemm') return { plan: { ...classic, choice } };
  }
  const { plan, note } = planGrid(model, o.mesh, region, dec, decPlan, o.machine, sramUnlimited, choice, oneCopy);
  return plan === undefined ? { plan: { choice, mode: 'decode', note } } : { plan: { choice, mode: 'meshgemm' }, grid: plan };
}

/** Places every layer's prefill weights on its prefill region. */
export async function placeGrid(mesh: Placer, model: ModelDescription, p: GridPlan): Promise<void> {
  for (const b of p.blocks) {
    const layers = Array.from({ length: b.layers }, (_, i) => b.firstLayer + i);
    if (layers.length > 0) await placePrefillWeights(regionPlacer(mesh, p.rects[b.region]), model, p.pfl, p.pre, layers);
  }
}

const program = (name: string) => ({ module: new URL('./grid-programs.js', import.meta.url).href, export: name });

/** A run of the prefill on its grid, labelled for the report. */
export interface GridRun {
  part: 'batch' | 'handoff' | 'phase-change';
  report: RunReport;
}

/** Moves every moved layer's weights into the decode layout (toDecode) or back. */
export async function moveWeights(fabric: Fabric, p: GridPlan, toDecode: boolean): Promise<GridRun> {
  const args: PhaseChangeArgs = { ...gridArgs(p), kvLayers: [], tokens: 0, weightLayers: movedLayers(p), toDecode };
  return { part: 'phase-change', report: await fabric.run(program('phaseChangeProgram'), args) };
}

function gridArgs(p: GridPlan): GridArgs {
  return { dec: p.dec, pfl: p.pfl, pre: p.pre, decRects: p.decRects, preRects: p.preRects };
}

/**
 * The batch of `ids` (positions 0..n-1) through every prefill region in turn, the activation handed from each
 * region to the next, then the phase change: stashed keys and values into the decode caches and, with one copy,
 * the weights into the decode layout.
 */
export async function runGridPrefill(fabric: Fabric, p: GridPlan, ids: number[], strategy: AllreduceStrategy, groups: number | undefined): Promise<GridRun[]> {
  const { pre, pfl } = p;
  const tok = tokenSplit(ids.length, pre.P);
  await regionPlacer(fabric, p.rects[p.blocks[0].region]).place('pf.x', (x, y) => {
    const dx = pre.dX.sizes[x];
    const block = new Float32Array(tok.sizes[y] * dx); // [m × dx], the host streams the input in
    for (let i = 0; i < tok.sizes[y]; i++) {
      const row = ids[tok.offsets[y] + i] * pfl.dim + pre.dX.offsets[x];
      block.set(p.embedding.subarray(row, row + dx), i * dx);
    }
    return block;
  });
  const runs: GridRun[] = [];
  for (const [i, b] of p.blocks.entries()) {
    if (i > 0) runs.push({ part: 'handoff', report: await fabric.run(program('handoffProgram'), { pre, tokens: ids.length, from: p.rects[p.blocks[i - 1].region], to: p.rects[b.region] }) });
    const args = { layout: pfl, pre, tokens: ids.length, strategy, groups, first: b.firstLayer, count: b.layers, stash: p.stash, rect: p.rects[b.region] };
    runs.push({ part: 'batch', report: await fabric.run(program('regionPrefillProgram'), args) });
  }
  const change: PhaseChangeArgs = { ...gridArgs(p), kvLayers: p.stash, tokens: ids.length, weightLayers: movedLayers(p), toDecode: true };
  if (change.kvLayers.length + change.weightLayers.length > 0) runs.push({ part: 'phase-change', report: await fabric.run(program('phaseChangeProgram'), change) });
  return runs;
}
