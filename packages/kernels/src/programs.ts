// Core programs that run one kernel on placed data, for `wafer kernel`, the tests and the benchmarks.
// Workers import this module by URL (see kernelProgram).

import type { Core, RecvRequest } from '@wafer/arch';
import { meshGemm, cannon } from './gemm/meshgemm.js';
import { summa } from './gemm/summa.js';
import { qkt, type QktCoreArgs } from './gemm/qkt.js';
import type { GemmCoreArgs } from './gemm/types.js';
import { meshGemv } from './gemv/meshgemv.js';
import { allreduce, type AllreduceStrategy } from './collectives/allreduce.js';
import type { ReduceOp } from './collectives/reduce-op.js';
import { lineOf, type Axis } from './line.js';
import { relayout, RELAYOUT_COLORS } from './collectives/relayout.js';
import { gridRelayout, type GridBlocking } from './collectives/grid-blocking.js';

type Gen = Generator<RecvRequest, void, Float32Array>;

export type GemmAlgo = 'meshgemm' | 'cannon' | 'summa';

export function* gemmProgram(core: Core, args: GemmCoreArgs & { algo: GemmAlgo }): Gen {
  if (args.algo === 'meshgemm') yield* meshGemm(core, args);
  else if (args.algo === 'cannon') yield* cannon(core, args);
  else yield* summa(core, args);
}

export interface GemvProgramArgs {
  axis: Axis;
  strategy: AllreduceStrategy;
  groups?: number;
  nBlocks: number[]; // output block per position along the other axis
}

/** y = x·W: reads placed 'x' and 'W', leaves 'y' (this core's output block). */
export function* gemvProgram(core: Core, args: GemvProgramArgs): Gen {
  const other = args.axis === 'y' ? core.x : core.y;
  const n = args.nBlocks[other];
  const y = yield* meshGemv(core, core.buffer('x'), core.buffer('W'), n, { axis: args.axis, strategy: args.strategy, groups: args.groups, colors: 0 });
  core.alloc('y', n).set(y);
}

/** Allreduces each core's placed 'v' along `axis`, leaving 'r'. */
export function* allreduceProgram(core: Core, args: { axis: Axis; strategy: AllreduceStrategy; op: ReduceOp; groups?: number }): Gen {
  const r = yield* allreduce(core, lineOf(core, args.axis), core.buffer('v'), { strategy: args.strategy, op: args.op, colors: 0, groups: args.groups });
  core.alloc('r', r.length).set(r);
}

export function* qktProgram(core: Core, args: QktCoreArgs): Gen {
  yield* qkt(core, args);
}

/** Moves the placed 'M' [m × n] from blocking `src` to blocking `dst`, leaving 'R'. */
export function* relayoutProgram(core: Core, args: { m: number; n: number; src: GridBlocking; dst: GridBlocking }): Gen {
  yield* relayout(core, [gridRelayout(args.src, args.dst, args.m, args.n)], ['M'], ['R'], 0, args);
}
export { RELAYOUT_COLORS };

/** A program reference the fabric's workers can import. */
export function kernelProgram(name: 'gemmProgram' | 'gemvProgram' | 'allreduceProgram' | 'qktProgram' | 'relayoutProgram'): { module: string; export: string } {
  return { module: import.meta.url, export: name };
}
