// Core programs that run one kernel on placed data, for `wafer kernel`, the tests and the benchmarks.
// Workers import this module by URL (see kernelProgram).

import { elementwiseCost, localGemvCost, PHASE, route, E, type Core, type CoreStep } from '@wafer/arch';
import { meshGemm, cannon } from './gemm/meshgemm.js';
import { summa } from './gemm/summa.js';
import { qkt, type QktCoreArgs } from './gemm/qkt.js';
import type { GemmCoreArgs } from './gemm/types.js';
import { gemvLocal } from './local.js';
import { allreduce, type AllreduceStrategy } from './collectives/allreduce.js';
import type { ReduceOp } from './collectives/reduce-op.js';
import { lineOf, type Axis } from './line.js';
import { relayout, RELAYOUT_COLORS } from './collectives/relayout.js';
import { gridRelayout, type GridBlocking } from './collectives/grid-blocking.js';

type Gen = Generator<CoreStep, void, Float32Array>;

export type GemmAlgo = 'meshgemm' | 'cannon' | 'summa';

export function* gemmProgram(core: Core, args: GemmCoreArgs & { algo: GemmAlgo }): Gen {
  core.phase(PHASE.gemm);
  if (args.algo === 'meshgemm') yield meshGemm(core, args);
  else if (args.algo === 'cannon') yield cannon(core, args);
  else yield summa(core, args);
}

export interface GemvProgramArgs {
  axis: Axis;
  strategy: AllreduceStrategy;
  groups?: number;
  nBlocks: number[]; // output block per position along the other axis
}

/**
 * y = x·W by MeshGEMV: reads placed 'x' and 'W', leaves 'y' (this core's output block). The steps of meshGemv,
 * written out so the profile and trace show the local product and the allreduce as two phases.
 */
export function* gemvProgram(core: Core, args: GemvProgramArgs): Gen {
  const other = args.axis === 'y' ? core.x : core.y;
  const n = args.nBlocks[other];
  const x = core.buffer('x');
  core.phase(PHASE.localGemv);
  const partial = core.scratch(n);
  core.compute(localGemvCost(x.length, n));
  gemvLocal(partial, x, core.buffer('W'), x.length, n);
  core.phase(PHASE.allreduce);
  const y = yield allreduce(core, lineOf(core, args.axis), partial, { strategy: args.strategy, op: 'sum', colors: 0, groups: args.groups });
  core.alloc('y', n).set(y);
}

/** Allreduces each core's placed 'v' along `axis`, leaving 'r'. */
export function* allreduceProgram(core: Core, args: { axis: Axis; strategy: AllreduceStrategy; op: ReduceOp; groups?: number }): Gen {
  core.phase(PHASE.allreduce);
  const v = core.buffer('v');
  const mine = core.scratch(v.length); // the allreduce accumulates into its vector: 'v' stays as placed
  mine.set(v);
  const r = yield allreduce(core, lineOf(core, args.axis), mine, { strategy: args.strategy, op: args.op, colors: 0, groups: args.groups });
  core.alloc('r', r.length).set(r);
}

export function* qktProgram(core: Core, args: QktCoreArgs): Gen {
  core.phase(PHASE.qkt);
  yield qkt(core, args);
}

/** Moves the placed 'M' [m × n] from blocking `src` to blocking `dst`, leaving 'R'. */
export function* relayoutProgram(core: Core, args: { m: number; n: number; src: GridBlocking; dst: GridBlocking }): Gen {
  yield relayout(core, [gridRelayout(args.src, args.dst, args.m, args.n)], ['M'], ['R'], 0, args);
}
export { RELAYOUT_COLORS };

const SHIFT_EAST = route(0, E);

/**
 * Row shift: every core passes its placed block 'x' one hop east and keeps what arrives from the west in 'y'
 * (the first column keeps zeros), paying one element-wise pass to store it. The cheapest kernel with a known
 * pattern: only eastward links of columns 0..cols-2 carry traffic, and only columns 1..cols-1 compute and wait.
 */
export function* shiftProgram(core: Core): Gen {
  core.phase(PHASE.shift);
  const x = core.buffer('x');
  if (core.x + 1 < core.cols) core.send(SHIFT_EAST, x);
  const y = core.alloc('y', x.length);
  if (core.x === 0) return;
  y.set(yield core.recv(SHIFT_EAST.color));
  core.compute(elementwiseCost(x.length)); // storing the block
}

/** A program reference the fabric's workers can import. */
export function kernelProgram(name: 'gemmProgram' | 'gemvProgram' | 'allreduceProgram' | 'qktProgram' | 'relayoutProgram' | 'shiftProgram'): { module: string; export: string } {
  return { module: import.meta.url, export: name };
}
