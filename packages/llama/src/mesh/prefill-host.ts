// Host side of the MeshGEMM prefill: decides whether it can run beside the decode layout (square mesh, SRAM),
// places the prompt's embeddings in the prefill layout and runs the prefill program.

import type { Placer } from './place-weights.js';
import { usageError, WaferError, type MachineSpec } from '@wafer/arch';
import type { Fabric, RunReport } from '@wafer/fabric';
import type { AllreduceStrategy } from '@wafer/kernels';
import type { ModelDescription } from '../model/types.js';
import type { DecodeLayout } from './layout.js';
import { placePrefillWeights } from './place-prefill-weights.js';
import { prefillLayout, tokenSplit, type PrefillLayout } from './prefill-layout.js';
import { prefillBytesPerCore } from './prefill-memory.js';

/** How the prompt is processed: batched by MeshGEMM, or token by token through the decode program. */
export type PrefillMode = 'meshgemm' | 'decode';
/** What the user asked for: a mode, or 'auto' (MeshGEMM when it fits, else decode with a note). */
export type PrefillChoice = PrefillMode | 'auto';

/** The engine's prefill decision, made before anything is placed. */
export interface PrefillPlan {
  choice: PrefillChoice;
  mode: PrefillMode;
  /** Why 'auto' chose decode (for the user), when it did. */
  note?: string;
  pre?: PrefillLayout; // present when mode is 'meshgemm'
  embedding?: Float32Array; // [vocab × dim] the host reads the prompt's rows from
}

const PREFILL_PROGRAM = { module: new URL('./prefill-program.js', import.meta.url).href, export: 'prefillProgram' };

/**
 * Decides the prefill mode for a decode layout: MeshGEMM needs a square mesh and its weights must fit in
 * SRAM beside the decode weights (unless SRAM is unlimited). An explicit 'meshgemm' that cannot run throws.
 */
export function planPrefill(model: ModelDescription, l: DecodeLayout, machine: MachineSpec, choice: PrefillChoice, sramUnlimited: boolean): PrefillPlan {
  if (choice === 'decode') return { choice, mode: 'decode' };
  if (l.rows !== l.cols) {
    if (choice === 'meshgemm') throw usageError(`--prefill meshgemm needs a square P×P mesh, got --mesh ${l.rows}x${l.cols}`);
    return { choice, mode: 'decode', note: `the MeshGEMM prefill needs a square mesh (--mesh ${l.rows}x${l.cols}): the prompt runs token by token` };
  }
  const pre = prefillLayout(l);
  const need = prefillBytesPerCore(l, pre, machine);
  if (!sramUnlimited && need > machine.sramBytesPerCore) {
    const what = `the MeshGEMM prefill weights need ${need} bytes per core beside the decode weights on a ${l.rows}x${l.cols} mesh, over machine ${machine.name}'s ${machine.sramBytesPerCore}`;
    if (choice === 'meshgemm') throw new WaferError('DOES_NOT_FIT', `${what} (use --prefill decode, a larger mesh or --sram unlimited)`);
    return { choice, mode: 'decode', note: `${what}: the prompt runs token by token` };
  }
  const embedding = model.tensors.get('token_embd')?.data;
  if (embedding === undefined) throw new Error('missing tensor token_embd');
  return { choice, mode: 'meshgemm', pre, embedding };
}

/** Places the pre-skewed prefill weights of a 'meshgemm' plan. */
export async function placePrefill(fabric: Placer, model: ModelDescription, l: DecodeLayout, plan: PrefillPlan): Promise<void> {
  if (plan.pre !== undefined) await placePrefillWeights(fabric, model, l, plan.pre);
}

/**
 * Whether a batch of `tokens` positions fits (SRAM with the prefill's working buffers); with an explicit
 * 'meshgemm' choice a batch that does not fit throws, with 'auto' the caller falls back to decode.
 */
export function batchFits(plan: PrefillPlan, l: DecodeLayout, machine: MachineSpec, tokens: number, sramUnlimited: boolean): { fits: boolean; note?: string } {
  if (sramUnlimited || plan.pre === undefined) return { fits: true };
  const need = prefillBytesPerCore(l, plan.pre, machine, tokens);
  if (need <= machine.sramBytesPerCore) return { fits: true };
  const what = `a MeshGEMM prefill of ${tokens} tokens needs ${need} bytes per core on a ${l.rows}x${l.cols} mesh, over machine ${machine.name}'s ${machine.sramBytesPerCore}`;
  if (plan.choice === 'meshgemm') throw new WaferError('DOES_NOT_FIT', `${what} (use --prefill decode, a larger mesh or --sram unlimited)`);
  return { fits: false, note: `${what}: the prompt ran token by token` };
}

/**
 * Runs `ids` at positions 0..ids.length-1 through every layer by MeshGEMM and moves their keys and values into
 * the decode cache. The host writes the prompt's embedding rows into the activation blocks ('pf.x': row y's
 * tokens × column x's dims), as the host streams the input in; the program frees them.
 */
export async function runPrefill(fabric: Fabric, l: DecodeLayout, plan: PrefillPlan, ids: number[], strategy: AllreduceStrategy, groups: number | undefined): Promise<RunReport> {
  const pre = plan.pre!;
  const emb = plan.embedding!;
  const tok = tokenSplit(ids.length, pre.P);
  await fabric.place('pf.x', (x, y) => {
    const dx = pre.dX.sizes[x];
    const block = new Float32Array(tok.sizes[y] * dx); // [m × dx]
    for (let i = 0; i < tok.sizes[y]; i++) {
      const row = ids[tok.offsets[y] + i] * l.dim + pre.dX.offsets[x];
      block.set(emb.subarray(row, row + dx), i * dx);
    }
    return block;
  });
  return fabric.run(PREFILL_PROGRAM, { layout: l, pre, tokens: ids.length, strategy, groups });
}
