// Where a model's layers live when the mesh is cut into regions (--region): the decode layout of one region,
// the bytes each piece costs its busiest core, and arch's placement rule (layers in order, as many per region
// as its SRAM holds, the embedding on region 0 and the classifier after the last layer). Checked before loading.

import { coversMesh, cutRegions, placeLayerBlocks, WaferError, type LayerBlock, type MachineSpec, type MeshShape, type RegionBytes, type RegionRect } from '@wafer/arch';
import type { LlamaConfig } from '../model/types.js';
import { ropeFrequencies } from '../reference/rope.js';
import { decodeLayout, type DecodeLayout } from './layout.js';
import { coreParts } from './memory.js';

/** The regions a decode step runs on, plain data so it travels to every core with the program's arguments. */
export interface RegionPlan {
  mesh: MeshShape;
  /** The used regions, in serpentine order. */
  rects: RegionRect[];
  /** Per used region: its block of layers (the classifier's own region has 0 layers). */
  blocks: LayerBlock[];
  classifierRegion: number;
  /** True when one region is the whole mesh: today's layout, no hand-offs. */
  whole: boolean;
  bytesPerCore: number; // the busiest region's busiest core
  regionBytes: number[]; // per used region, its busiest core
}

/** Bytes of each placement piece on a region's busiest core: core (0, 0), since every split puts its larger parts first. */
export function regionBytes(l: DecodeLayout, machine: MachineSpec, sramUnlimited: boolean): RegionBytes {
  const c = coreParts(l, 0, 0);
  const bytes = machine.bytesPerElement;
  return {
    budget: sramUnlimited ? Number.MAX_SAFE_INTEGER : machine.sramBytesPerCore,
    base: c.working * bytes,
    layer: c.layer * bytes,
    embedding: c.embedding * bytes,
    classifier: c.classifier * bytes,
    tiedSaving: c.tiedSaving * bytes,
  };
}

/**
 * Cuts the mesh into `region` rectangles and places the model's layers on them. Throws DOES_NOT_FIT naming the
 * bytes and the smallest mesh of such regions (or the smallest square region) that holds the model.
 */
export function planRegions(config: LlamaConfig, mesh: MeshShape, region: MeshShape, machine: MachineSpec, sramUnlimited: boolean): { layout: DecodeLayout; plan: RegionPlan } {
  const layout = decodeLayout(config, region, ropeFrequencies(config), '--region');
  const all = cutRegions(mesh, region);
  const bytes = regionBytes(layout, machine, sramUnlimited);
  const placed = placeLayerBlocks(config.nLayers, all.length, bytes);
  if (!placed.fits) throw new WaferError('DOES_NOT_FIT', doesNotFit(config, mesh, region, machine, bytes, placed.regionsNeeded, all.length));
  const rects = all.slice(0, placed.regionsNeeded);
  const blocks = rects.map((_, r) => placed.blocks[r] ?? { region: r, firstLayer: config.nLayers, layers: 0 });
  return {
    layout,
    plan: { mesh, rects, blocks, classifierRegion: placed.classifierRegion, whole: rects.length === 1 && coversMesh(rects[0], mesh), bytesPerCore: placed.peakBytes, regionBytes: placed.regionBytes },
  };
}

function doesNotFit(config: LlamaConfig, mesh: MeshShape, region: MeshShape, machine: MachineSpec, b: RegionBytes, needed: number, available: number): string {
  const shape = `${region.rows}x${region.cols}`;
  const onOne = b.base + b.embedding + b.classifier - b.tiedSaving + config.nLayers * b.layer;
  const head = `the model needs ${onOne} bytes per core on one ${shape} region (${b.layer} per layer, ${b.base} working, ${b.embedding + b.classifier - b.tiedSaving} embedding and classifier), over machine ${machine.name}'s ${machine.sramBytesPerCore}`;
  const p = smallestSquareRegion(config, mesh, machine);
  const square = p === null ? `no square region of the ${mesh.rows}x${mesh.cols} mesh holds it` : `the smallest square region that fits this mesh is ${p}x${p}`;
  if (!Number.isFinite(needed)) return `${head}; not even one layer fits a ${shape} region; ${square} (or use --sram unlimited)`;
  const across = Math.max(1, Math.floor(mesh.cols / region.cols));
  const rowsNeeded = Math.ceil(needed / across) * region.rows;
  return `${head}; its layers need ${needed} ${shape} regions and the ${mesh.rows}x${mesh.cols} mesh has ${available}: the smallest mesh of ${mesh.cols} columns that holds them is ${rowsNeeded}x${mesh.cols}; ${square} (or use --sram unlimited)`;
}

/** The smallest P such that P×P regions of `mesh` hold the model, or null. */
function smallestSquareRegion(config: LlamaConfig, mesh: MeshShape, machine: MachineSpec): number | null {
  const freqs = ropeFrequencies(config);
  const maxP = Math.min(mesh.rows, mesh.cols, config.dim, config.hiddenDim, (config.nKvHeads * config.headDim) / 2);
  for (let p = 1; p <= maxP; p++) {
    const l = decodeLayout(config, { rows: p, cols: p }, freqs);
    const regions = cutRegions(mesh, { rows: p, cols: p }).length;
    if (placeLayerBlocks(config.nLayers, regions, regionBytes(l, machine, false)).fits) return p;
  }
  return null;
}

/** The used region that holds core (x, y), or -1. */
export function regionOf(plan: RegionPlan, x: number, y: number): number {
  for (let r = 0; r < plan.rects.length; r++) {
    const q = plan.rects[r];
    if (x >= q.x0 && x < q.x0 + q.cols && y >= q.y0 && y < q.y0 + q.rows) return r;
  }
  return -1;
}
