// Modeled cost of the per-core local kernels, shared by the emulator's kernels and the analytical model
// so both charge exactly the same cycles for the same work.

import type { ComputeCost } from './machine.js';

/** C[m×n] += A[m×k] · B[k×n] on one core: one vector multiply-accumulate of length n per (i, k), one loop per row. */
export function localGemmCost(m: number, k: number, n: number): ComputeCost {
  return { macs: m * k * n, instructions: m * k, loops: m };
}

/** y[n] += x[m] · W[m×n] on one core: one vector multiply-accumulate of length n per input element. */
export function localGemvCost(m: number, n: number): ComputeCost {
  return { macs: m * n, instructions: m, loops: 1 };
}

/** An element-wise pass over n values doing `ops` operations each, one vector instruction per operation. */
export function elementwiseCost(n: number, ops = 1): ComputeCost {
  return { elementwise: n * ops, instructions: ops };
}
