// The local multiply of the authors' prefill kernels (MeshInfra/WaferLLM Prefill and MeshGEMM, WSE-2), which the
// 'paper' convention times. Their loop nest differs from the emulator's: for each k of the K tile, the A column
// k and the B row k are loaded into DSD registers (one loop iteration), then @map walks the B row and, for each
// element, one @fmach adds A column k × B[k][j] into output column j: K·N vector ops of length M (the tokens per
// core), against the emulator's M·K ops of length N. Tiles are column-major, so column j starts at element M·j.

import type { MachineSpec } from '@wafer/arch';

/**
 * Extra cycles of a vector op whose accumulator column starts inside a 64-bit SRAM word: its first, partial word
 * is read, merged and written back on its own. Fitted on WaferLLM Table 3 (Llama3-8B, 4,096 tokens, WSE-2 at
 * 480², 600², 720²): see docs/calibration.md.
 */
export const UNALIGNED_VECTOR_CYCLES = 1;

/**
 * Cycles of one fp16 vector op over `m` values whose first value sits `offset` values into an SRAM word of
 * `perWord` values: one word per cycle (4 fp16 in a 64-bit word: the machine's 4 MACs per cycle), every word
 * it touches counted, plus the unaligned head.
 */
export function vectorOpCycles(m: number, offset: number, perWord: number): number {
  return Math.ceil((offset + m) / perWord) + (offset === 0 ? 0 : UNALIGNED_VECTOR_CYCLES);
}

/** Cycles of the authors' local C[m×n] += A[m×k]·B[k×n] on one core (column-major tiles). */
export function authorsLocalGemmCycles(spec: MachineSpec, m: number, k: number, n: number): number {
  const perWord = spec.compute.macsPerCycle;
  let row = spec.compute.loopIterationCycles; // one k: DSD set-up and the loop
  for (let j = 0; j < n; j++) row += spec.compute.instructionIssueCycles + vectorOpCycles(m, (m * j) % perWord, perWord);
  return k * row;
}
