// MeshGEMV (WaferLLM §3): y = x·W with x split along the reduction axis and W split in 2-D; each core
// multiplies its block, then the partial outputs are allreduced along the reduction axis (K-tree by default).
// The result comes back split along the other axis: the transpose of the input layout.

import { localGemvCost, type Core, type RecvRequest } from '@wafer/arch';
import { lineOf, type Axis } from '../line.js';
import { allreduce, type AllreduceOptions } from '../collectives/allreduce.js';
import { gemvLocal } from '../local.js';

/** The allreduce's options (its op is always 'sum') and the axis. */
export interface GemvOptions extends Omit<AllreduceOptions, 'op'> {
  /** Axis the input is split along and the partials are reduced along ('y': x split over rows). */
  axis: Axis;
}

/**
 * This core's part of y = x·W: `x` is its slice of the input [m], `w` its block of W [m × n] row-major.
 * Returns the n outputs of its block, summed over the reduction line, identical on every core of that line.
 * Use as `yield meshGemv(...)`: the local multiply runs when the core reaches that statement, and the
 * allreduce's generator is returned for the core to run (meshGemv has no generator of its own).
 */
export function meshGemv(core: Core, x: Float32Array, w: Float32Array, n: number, opts: GemvOptions): Generator<RecvRequest, Float32Array, Float32Array> {
  const m = x.length;
  const partial = core.scratch(n);
  core.compute(localGemvCost(m, n));
  gemvLocal(partial, x, w, m, n);
  return allreduce(core, lineOf(core, opts.axis), partial, opts);
}
