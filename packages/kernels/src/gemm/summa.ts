// SUMMA: at step k the owners of A's column-block k and B's row-block k broadcast along rows and columns
// (chains of streaming relays); every core multiplies what it received. No skew, twice the tile memory.

import { localGemmCost, type Core, type CoreStep } from '@wafer/arch';
import { lineOf } from '../line.js';
import { chainBroadcast, CHAIN_BROADCAST_COLORS } from '../collectives/broadcast.js';
import { gemmAccumulate } from '../local.js';
import type { GemmCoreArgs } from './types.js';

export const SUMMA_COLORS = 2 * CHAIN_BROADCAST_COLORS;

/** C block (y, x) of C = A·B; this core holds A block (y, x) and B block (y, x), unskewed. */
export function* summa(core: Core, args: GemmCoreArgs): Generator<CoreStep, void, Float32Array> {
  const P = core.cols;
  const mBlock = args.mBlocks[core.y];
  const nBlock = args.nBlocks[core.x];
  const maxK = Math.max(...args.kBlocks);
  const rowLine = lineOf(core, 'x');
  const colLine = lineOf(core, 'y');
  const aMine = core.buffer(args.a);
  const bMine = core.buffer(args.b);
  const aRecv = core.alloc(`${args.scratch}.ak`, mBlock * maxK); // the second copy SUMMA needs
  const bRecv = core.alloc(`${args.scratch}.bk`, maxK * nBlock);
  const c = core.alloc(args.out, mBlock * nBlock);
  for (let k = 0; k < P; k++) {
    core.step();
    const kt = args.kBlocks[k];
    const a = yield chainBroadcast(core, rowLine, k, core.x === k ? aMine : null, args.colors);
    const b = yield chainBroadcast(core, colLine, k, core.y === k ? bMine : null, args.colors + CHAIN_BROADCAST_COLORS);
    aRecv.set(a);
    bRecv.set(b);
    core.compute(localGemmCost(mBlock, kt, nBlock));
    gemmAccumulate(c, a, b, mBlock, kt, nBlock);
  }
  core.free(`${args.scratch}.ak`);
  core.free(`${args.scratch}.bk`);
}
