// Local element-wise passes (norm scaling, RoPE, softmax pieces, SiLU, residual adds) and local GEMV/GEMM
// tiles, costed exactly as the kernels charge them: @wafer/arch's local-costs under the machine's compute rates.

import { computeCycles, elementwiseCost, localGemmCost, localGemvCost, type MachineSpec } from '@wafer/arch';

/** Cycles for one core to apply `ops` element-wise operations to n values (one vector instruction per op). */
export function elementwiseCycles(spec: MachineSpec, n: number, ops = 1): number {
  if (n <= 0 || ops <= 0) return 0;
  return computeCycles(spec, elementwiseCost(n, ops));
}

/** Cycles for one core's y[n] += x[m]·W[m×n]. */
export function localGemvCycles(spec: MachineSpec, m: number, n: number): number {
  return computeCycles(spec, localGemvCost(m, n));
}

/** Cycles for one core's C[m×n] += A[m×k]·B[k×n]. */
export function localGemmCycles(spec: MachineSpec, m: number, k: number, n: number): number {
  return computeCycles(spec, localGemmCost(m, k, n));
}
