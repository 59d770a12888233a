// The mesh engine: a ForwardEngine that runs every token through the decode program on the emulated mesh
// and reports modeled cycles beside wall time. Sampling stays on the coordinator (gathered logits).

import { WaferError, type MachineSpec, type MeshShape } from '@wafer/arch';
import { Fabric, type FabricLogger, type RunReport } from '@wafer/fabric';
import type { AllreduceStrategy } from '@wafer/kernels';
import type { LlamaConfig, ModelDescription } from '../model/types.js';
import type { ForwardEngine } from '../generate/generate.js';
import { ropeFrequencies } from '../reference/rope.js';
import { decodeLayout, type DecodeLayout } from './layout.js';
import { bytesPerCore, smallestSquareMesh } from './memory.js';
import { placeDecodeWeights } from './place-weights.js';

export interface MeshEngineOptions {
  mesh: MeshShape;
  threads: number;
  machine: MachineSpec;
  strategy?: AllreduceStrategy;
  groups?: number;
  sramUnlimited?: boolean;
  logger?: FabricLogger;
}

/** Modeled figures of the steps run so far. */
export interface MeshStepRecord {
  pos: number;
  report: RunReport;
}

const DECODE_PROGRAM = { module: new URL('./decode-program.js', import.meta.url).href, export: 'decodeStep' };

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
  private constructor(
    readonly fabric: Fabric,
    readonly layout: DecodeLayout,
    readonly plannedBytesPerCore: number,
    private readonly options: MeshEngineOptions,
    config: LlamaConfig,
  ) {
    this.config = config;
  }

  /** Checks the memory, starts the fabric and places every weight. */
  static async create(model: ModelDescription, options: MeshEngineOptions): Promise<MeshLlama> {
    const machine = options.machine;
    let layout: DecodeLayout;
    let need: number;
    if (options.sramUnlimited) {
      layout = decodeLayout(model.config, options.mesh, ropeFrequencies(model.config));
      need = bytesPerCore(layout, machine);
    } else {
      ({ layout, bytesPerCore: need } = checkMeshFits(model.config, options.mesh, machine));
    }
    const fabric = await Fabric.start({ machine, mesh: options.mesh, threads: options.threads, sramUnlimited: options.sramUnlimited, logger: options.logger });
    try {
      await placeDecodeWeights(fabric, model, layout);
    } catch (e) {
      await fabric.destroy();
      throw e;
    }
    return new MeshLlama(fabric, layout, need, options, model.config);
  }

  async forward(token: number, pos: number): Promise<Float32Array> {
    const report = await this.fabric.run(DECODE_PROGRAM, { layout: this.layout, token, pos, strategy: this.options.strategy ?? 'ktree', groups: this.options.groups });
    this.steps.push({ pos, report });
    const blocks = await this.fabric.gather('logits');
    const logits = new Float32Array(this.layout.vocab);
    for (let x = 0; x < this.layout.cols; x++) logits.set(blocks[x]!, this.layout.vX.offsets[x]);
    return logits;
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
