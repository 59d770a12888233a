// The mesh engine: a ForwardEngine that runs the prompt through the MeshGEMM prefill (or token by token) and
// every later token through the decode program on the emulated mesh, and reports modeled cycles beside wall
// time. Sampling stays on the coordinator (gathered logits).

import { usageError, WaferError, type MachineSpec, type MeshShape, type TileShape } from '@wafer/arch';
import { checkHostMemory, Fabric, type FabricLogger, type HostsOptions, type ObserveOptions, type RunReport } from '@wafer/fabric';
import type { AllreduceStrategy } from '@wafer/kernels';
import type { LlamaConfig, ModelDescription } from '../model/types.js';
import type { ForwardEngine } from '../generate/generate.js';
import { ropeFrequencies } from '../reference/rope.js';
import { decodeLayout, type DecodeLayout } from './layout.js';
import { placementHostBytes } from './host-bytes.js';
import { bytesPerCore, smallestSquareMesh } from './memory.js';
import { placeDecodeWeights } from './place-weights.js';
import { placeKvCache } from './kv-cache-host.js';
import { batchFits, placePrefill, planPrefill, runPrefill, type PrefillChoice, type PrefillMode, type PrefillPlan } from './prefill-host.js';
import { gridBatchFits, moveWeights, movedLayers, placeGrid, planRegionPrefill, runGridPrefill, type GridPlan, type GridRun } from './grid-prefill.js';
import { checkHandoffShape } from './handoff.js';
import { planRegions, type RegionPlan } from './region-plan.js';
import { placeRegionWeights } from './region-place.js';

export interface MeshEngineOptions {
  mesh: MeshShape;
  /** Cut the mesh into regions of this shape and place the layers on them in order (default: one region, the whole mesh). */
  region?: MeshShape;
  /** The prefill's own square regions (default: region); the prompt runs there by MeshGEMM. */
  prefillRegion?: MeshShape;
  /** The decode regions (default: region). */
  decodeRegion?: MeshShape;
  /** 'fit' (default): both layouts of the weights when SRAM holds them; 'one': always one copy, moved each phase. */
  weightCopies?: 'fit' | 'one';
  threads: number;
  machine: MachineSpec;
  strategy?: AllreduceStrategy;
  groups?: number;
  sramUnlimited?: boolean;
  /** Called after each named weight buffer is placed on every core (progress reporting). */
  onPlace?: (name: string) => void;
  /** How the mesh is cut into thread tiles (default 'columns'). */
  tileShape?: TileShape;
  /** Microseconds idle threads poll before sleeping (the fabric's spinMicros; default: the fabric's auto rule). */
  spinMicros?: number;
  /** Measure where each run's wall time goes (the fabric's profileWall: RunReport.wall). */
  profileWall?: boolean;
  /** Run the mesh on tile hosts (`wafer host`), one band each, instead of this process's threads. */
  hosts?: HostsOptions;
  /** Prompt processing (default 'auto': MeshGEMM when its weights fit beside the decode weights, else decode). */
  prefill?: PrefillChoice;
  /** Phases, per-run counters and traces recorded by the fabric (its `observe`; all off by default). */
  observe?: ObserveOptions;
  /**
   * Called with each run's record as soon as it is recorded. It may take the report's bulky observe data
   * (counters, trace) and clear them, so a long generation does not keep every run's.
   */
  onRun?: (step: MeshStepRecord) => void;
  logger?: FabricLogger;
}

/** Modeled figures of the steps run so far. */
export interface MeshStepRecord {
  pos: number; // the (last) position the run processed
  /** 'prefill': a run before the first logits of a prompt (MeshGEMM batch with phase change, or a prompt token). */
  phase: 'prefill' | 'decode';
  /** What a prefill-phase run on its own grid did: a region's batch, a hand-off between regions, or the phase change. */
  part?: GridRun['part'];
  report: RunReport;
}

const DECODE_PROGRAM = { module: new URL('./decode-program.js', import.meta.url).href, export: 'decodeStep' };
const LAYER_PROGRAM = { module: new URL('./decode-program.js', import.meta.url).href, export: 'decodeLayerStep' };

/** Checks the decode layout against the machine's SRAM before anything is loaded. */
export function checkMeshFits(config: LlamaConfig, mesh: MeshShape, machine: MachineSpec, flag = '--mesh'): { layout: DecodeLayout; bytesPerCore: number } {
  const freqs = ropeFrequencies(config);
  const layout = decodeLayout(config, mesh, freqs, flag);
  const need = bytesPerCore(layout, machine);
  if (need > machine.sramBytesPerCore) {
    const p = smallestSquareMesh(config, machine, freqs);
    const hint = p === null ? `no square mesh of machine ${machine.name} holds it` : `the smallest square mesh that fits is ${p}x${p}`;
    throw new WaferError('DOES_NOT_FIT', `the model needs ${need} bytes per core on a ${mesh.rows}x${mesh.cols} mesh, over machine ${machine.name}'s ${machine.sramBytesPerCore} bytes of SRAM per core; ${hint} (or use --sram unlimited)`);
  }
  return { layout, bytesPerCore: need };
}

export class MeshLlama implements ForwardEngine {
  readonly config: LlamaConfig;
  readonly steps: MeshStepRecord[] = [];
  /** How the last prompt was processed (undefined before the first prefill). */
  lastPrefill: PrefillMode | undefined;
  /** Why the prompt went token by token although MeshGEMM was allowed ('auto'), when it did. */
  prefillNote: string | undefined;
  private constructor(
    readonly fabric: Fabric,
    readonly layout: DecodeLayout,
    readonly plannedBytesPerCore: number,
    private readonly options: MeshEngineOptions,
    config: LlamaConfig,
    private readonly prefillPlan: PrefillPlan,
    /** The regions the layers live on (undefined: every layer on the whole mesh). */
    readonly regions?: RegionPlan,
    /** The prefill's own grid (undefined: MeshGEMM, if any, runs on the decode mesh with both layouts placed). */
    readonly grid?: GridPlan,
  ) {
    this.config = config;
    this.prefillNote = prefillPlan.note;
    this.weightsIn = grid?.copies === 'one' ? 'prefill' : 'decode';
  }

  /** With one copy of the weights: the layout they are in now. */
  private weightsIn: 'prefill' | 'decode';

  /** Frees the decode copy of every moved layer's weights: from now on the chip keeps one copy and moves it. */
  private async dropDecodeCopies(): Promise<void> {
    const grid = this.grid!;
    for (const l of movedLayers(grid, 'one')) for (const w of ['wqkv', 'wo', 'w13', 'w2']) await this.fabric.free(`L${l}.${w}`);
    grid.copies = 'one';
    this.weightsIn = 'prefill';
  }

  /** Moves the weights into the decode layout if they are not there (a prefill-phase run, part 'phase-change'). */
  private async ensureWeightsIn(where: 'prefill' | 'decode', pos: number): Promise<void> {
    if (this.grid === undefined || this.grid.copies === 'both' || this.weightsIn === where) return;
    const run = await moveWeights(this.fabric, this.grid, where === 'decode');
    this.record({ pos, phase: 'prefill', part: run.part, report: run.report });
    this.weightsIn = where;
  }

  /** The prefill mode chosen when the engine was created ('meshgemm' when its weights are placed). */
  get prefillMode(): PrefillMode {
    return this.prefillPlan.mode;
  }

  /** Checks the memory, starts the fabric and places every weight. */
  static async create(model: ModelDescription, options: MeshEngineOptions): Promise<MeshLlama> {
    const machine = options.machine;
    const sramUnlimited = options.sramUnlimited ?? false;
    const choice = options.prefill ?? 'auto';
    let layout: DecodeLayout;
    let need: number;
    let regions: RegionPlan | undefined;
    let plan: PrefillPlan;
    let grid: GridPlan | undefined;
    const decodeRegion = options.decodeRegion ?? options.region;
    if (decodeRegion !== undefined || options.prefillRegion !== undefined) {
      const region = decodeRegion ?? options.mesh;
      checkHandoffShape(region);
      ({ layout, plan: regions } = planRegions(model.config, options.mesh, region, machine, sramUnlimited));
      need = regions.bytesPerCore;
      ({ plan, grid } = planRegionPrefill(model, options, layout, regions, choice));
    } else {
      if (sramUnlimited) {
        layout = decodeLayout(model.config, options.mesh, ropeFrequencies(model.config));
        need = bytesPerCore(layout, machine);
      } else {
        ({ layout, bytesPerCore: need } = checkMeshFits(model.config, options.mesh, machine));
      }
      plan = planPrefill(model, layout, machine, choice, sramUnlimited);
    }
    // A floor of the host memory placement takes. With regions, the layout is one region's and holds every layer
    // (the regions split the layers between them), so it counts the model once; the prefill grid's copies are not counted.
    const { rows, cols } = options.mesh;
    // With tile hosts the cores' memory is on the hosts, not here (each host checks its own fabric).
    if (options.hosts === undefined) {
      const hostBytes = placementHostBytes(layout, options.threads, regions === undefined && plan.pre ? { pre: plan.pre } : undefined, options.mesh);
      checkHostMemory(hostBytes, `placing ${model.path} on a ${rows}x${cols} mesh`);
    }
    const fabric = await Fabric.start({
      machine,
      mesh: options.mesh,
      threads: options.threads,
      sramUnlimited: options.sramUnlimited,
      spinMicros: options.spinMicros,
      profileWall: options.profileWall,
      observe: options.observe,
      hosts: options.hosts,
      // Seven of a decode layer's ten allreduces run along Y: vertical strips keep them inside one thread.
      tileShape: options.tileShape ?? 'columns',
      logger: options.logger,
    });
    // Placement of a large model takes a while: report each named buffer as it lands (for a progress bar).
    const placer = options.onPlace ? { place: async (name: string, block: (x: number, y: number) => Float32Array | undefined) => { await fabric.place(name, block); options.onPlace!(name); } } : fabric;
    try {
      // With one copy of the weights, every layer but the last starts in the prefill layout (norms stay in both).
      const moved = new Set(grid === undefined ? [] : movedLayers(grid));
      if (regions !== undefined) await placeRegionWeights(placer, model, layout, regions, (l) => moved.has(l));
      else await placeDecodeWeights(placer, model, layout);
      if (grid !== undefined) await placeGrid(placer, model, grid);
      else await placePrefill(placer, model, layout, plan);
    } catch (e) {
      await fabric.destroy();
      throw e;
    }
    return new MeshLlama(fabric, layout, need, options, model.config, plan, regions, grid);
  }

  async forward(token: number, pos: number): Promise<Float32Array> {
    if (!Number.isInteger(token) || token < 0 || token >= this.config.vocabSize) {
      throw new WaferError('TOKENIZER_MISMATCH', `token id ${token} is outside the model's vocabulary of ${this.config.vocabSize}`);
    }
    if (!Number.isInteger(pos) || pos < 0 || pos >= this.config.seqLen) {
      throw new WaferError('PROMPT_TOO_LONG', `position ${pos} is outside the model's context of ${this.config.seqLen}`);
    }
    await this.ensureWeightsIn('decode', pos);
    return this.decodeStep(token, pos, 'decode');
  }

  /**
   * Runs the prompt at positions 0..T-1 and returns the logits of position T-1. MeshGEMM: tokens 0..T-2 as one
   * batch, the phase change of their keys and values into the decode cache, then the decode program on token
   * T-1. Every run is recorded with phase 'prefill'.
   */
  async prefill(ids: number[]): Promise<Float32Array> {
    if (ids.length === 0 || ids.length > this.config.seqLen) throw usageError(`prefill needs 1..${this.config.seqLen} prompt tokens, got ${ids.length}`);
    const T = ids.length;
    let mode = this.prefillPlan.mode;
    let note = this.prefillPlan.note;
    if (mode === 'meshgemm' && (this.options.prefill ?? 'auto') === 'auto' && T < (this.grid?.pre.P ?? this.layout.rows)) {
      // A batch shorter than the mesh has rows leaves rows idle while MeshGEMM still pays P steps per call:
      // token by token is faster there (e.g. 5 tokens on 8x8 wse2: 91,393 against 134,344 modeled cycles).
      // This is auto's choice, not a fallback, so there is no note.
      mode = 'decode';
      note = undefined;
    }
    if (mode === 'meshgemm' && T > 1) {
      const fit: { fits: boolean; copies?: 'both' | 'one'; note?: string } = this.grid === undefined ? batchFits(this.prefillPlan, this.layout, this.fabric.machine, T - 1, this.options.sramUnlimited ?? false) : gridBatchFits(this.grid, this.prefillPlan.choice, this.fabric.machine, T - 1, this.options.sramUnlimited ?? false);
      if (!fit.fits) {
        mode = 'decode';
        note = fit.note;
      } else if (this.grid !== undefined && fit.copies === 'one' && this.grid.copies === 'both') await this.dropDecodeCopies();
    }
    this.lastPrefill = mode;
    this.prefillNote = note;
    if (mode === 'meshgemm' && T > 1) await this.prefillCache(ids.slice(0, T - 1));
    else {
      await this.ensureWeightsIn('decode', 0);
      for (let pos = 0; pos < T - 1; pos++) await this.decodeStep(ids[pos], pos, 'prefill');
    }
    await this.ensureWeightsIn('decode', T - 1);
    return this.decodeStep(ids[T - 1], T - 1, 'prefill');
  }

  /**
   * The MeshGEMM prefill alone: runs `ids` at positions 0..n-1 and leaves their keys and values in the decode
   * cache (n entries), exactly where n decode steps would have left them. Needs a 'meshgemm' engine.
   */
  async prefillCache(ids: number[]): Promise<void> {
    if (this.prefillPlan.mode !== 'meshgemm') throw usageError('this mesh engine has no MeshGEMM prefill (create it with prefill meshgemm or auto on a square mesh that fits)');
    if (ids.length === 0 || ids.length >= this.config.seqLen) throw usageError(`prefillCache needs 1..${this.config.seqLen - 1} tokens, got ${ids.length}`);
    const bad = ids.findIndex((id) => !Number.isInteger(id) || id < 0 || id >= this.config.vocabSize);
    if (bad >= 0) throw new WaferError('TOKENIZER_MISMATCH', `prompt token ${bad} has id ${ids[bad]}, outside the model's vocabulary of ${this.config.vocabSize}`);
    const strategy = this.options.strategy ?? 'ktree';
    if (this.grid === undefined) {
      const report = await runPrefill(this.fabric, this.layout, this.prefillPlan, ids, strategy, this.options.groups);
      this.record({ pos: ids.length - 1, phase: 'prefill', report });
      return;
    }
    await this.ensureWeightsIn('prefill', 0);
    for (const run of await runGridPrefill(this.fabric, this.grid, ids, strategy, this.options.groups)) this.record({ pos: ids.length - 1, phase: 'prefill', part: run.part, report: run.report });
    if (this.grid.copies === 'one') this.weightsIn = 'decode';
  }

  private async decodeStep(token: number, pos: number, phase: MeshStepRecord['phase']): Promise<Float32Array> {
    const { report, gathered } = await this.fabric.runAndGather(DECODE_PROGRAM, { layout: this.layout, token, pos, strategy: this.options.strategy ?? 'ktree', groups: this.options.groups, plan: this.regions }, ['logits']);
    this.record({ pos, phase, report });
    const blocks = gathered.logits;
    const logits = new Float32Array(this.layout.vocab);
    // Row 0 of the classifier's region keeps the logits, column x its vocabulary block.
    const at = this.regions === undefined ? { x0: 0, y0: 0 } : this.regions.rects[this.regions.classifierRegion];
    for (let x = 0; x < this.layout.cols; x++) logits.set(blocks[at.y0 * this.fabric.mesh.cols + at.x0 + x]!, this.layout.vX.offsets[x]);
    return logits;
  }

  private record(step: MeshStepRecord): void {
    this.steps.push(step);
    this.options.onRun?.(step);
  }

  /** Fills `layer`'s cache with positions 0..n-1 (keys with RoPE applied), as n decode steps would. */
  async loadKvCache(layer: number, keys: Float32Array, values: Float32Array, n: number): Promise<void> {
    this.requireWholeMesh('loadKvCache');
    await placeKvCache(this.fabric, this.layout, layer, keys, values, n);
  }

  /**
   * Runs one layer alone at position `pos` on the residual x [dim]: returns the new residual [dim] and the
   * run's report (the layer's modeled cycles, without embedding or classifier).
   */
  async runLayer(layer: number, x: Float32Array, pos: number): Promise<{ out: Float32Array; report: RunReport }> {
    this.requireWholeMesh('runLayer');
    const { dY } = this.layout;
    await this.fabric.place('x', (_cx, y) => x.slice(dY.offsets[y], dY.offsets[y] + dY.sizes[y]));
    const report = await this.fabric.run(LAYER_PROGRAM, { layout: this.layout, token: 0, pos, layer, strategy: this.options.strategy ?? 'ktree', groups: this.options.groups });
    const blocks = await this.fabric.gather('out');
    const out = new Float32Array(this.layout.dim);
    for (let y = 0; y < this.layout.rows; y++) out.set(blocks[y * this.layout.cols]!, dY.offsets[y]);
    await this.fabric.free('x');
    await this.fabric.free('out');
    return { out, report };
  }

  private requireWholeMesh(what: string): void {
    if (this.regions !== undefined && !this.regions.whole) throw usageError(`${what} needs every layer on the whole mesh (an engine without regions)`);
  }

  /** Largest SRAM use any core reached (bytes). */
  get sramPeakBytesPerCore(): number {
    return Math.max(0, ...this.steps.map((s) => s.report.sramPeakBytesPerCore));
  }

  async close(): Promise<void> {
    await this.fabric.close();
  }
  async destroy(): Promise<void> {
    await this.fabric.destroy();
  }
}
