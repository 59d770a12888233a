// MeshGEMV (wafer-notes §3, packages/kernels/src/gemv/meshgemv.ts): y[1×n] = x[1×m]·W[m×n] on an R×C mesh.
// Each core multiplies its block of W by its slice of x, then the partial outputs are allreduced along the
// reduction axis. Cost = the largest local block + the allreduce of the largest output block.

import { WaferError, type MachineSpec } from '@wafer/arch';
import { allreduceCycles, type AllreduceOptions } from './allreduce.js';
import { localGemvCycles } from './elementwise.js';
import { maxBlock, positiveInt } from './link-timing.js';

export interface GemvWorkload {
  m: number; // input length (split along the reduction axis)
  n: number; // output length (split along the other axis)
  rows: number;
  cols: number;
  /** Reduction axis: 'y' (x split over rows, partials reduced along columns; default) or 'x'. */
  axis?: 'x' | 'y';
}

export interface GemvBreakdown {
  mBlock: number; // input values per core
  nBlock: number; // output values per core
  computeCycles: number;
  allreduceCycles: number;
  totalCycles: number;
}

/** Modeled cycles of one MeshGEMV (or, with strategy 'pipeline', the vendor-style GEMV). */
export function gemvCycles(spec: MachineSpec, w: GemvWorkload, opts: AllreduceOptions = {}): GemvBreakdown {
  positiveInt(w.m, 'GEMV m');
  positiveInt(w.n, 'GEMV n');
  positiveInt(w.rows, 'GEMV mesh rows');
  positiveInt(w.cols, 'GEMV mesh cols');
  const axis = w.axis ?? 'y';
  if (axis !== 'x' && axis !== 'y') throw new WaferError('USAGE', `perf: GEMV axis must be 'x' or 'y', got '${String(axis)}'`);
  const reduceLine = axis === 'y' ? w.rows : w.cols;
  const otherLine = axis === 'y' ? w.cols : w.rows;
  const mBlock = maxBlock(w.m, reduceLine);
  const nBlock = maxBlock(w.n, otherLine);
  const computeCycles = localGemvCycles(spec, mBlock, nBlock);
  const ar = allreduceCycles(spec, reduceLine, nBlock, opts);
  return { mBlock, nBlock, computeCycles, allreduceCycles: ar, totalCycles: computeCycles + ar };
}
