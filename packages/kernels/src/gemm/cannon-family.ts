// Cannon's algorithm on a pair of logical rings (one along X, one along Y). With the interleaved ring this
// is MeshGEMM (every shift ≤ 2 hops); with the plain ring it is Cannon (wrap-around edge P−1 hops).

import { localGemmCost, type Core, type RecvRequest } from '@wafer/arch';
import { lineOf } from '../line.js';
import type { LineRing } from '../ring.js';
import { ringRecv, ringSend, RING_COLORS } from '../ring-shift.js';
import { gemmAccumulate, into } from '../local.js';
import type { GemmCoreArgs } from './types.js';

/** Colours used: X ring forward/backward (4), Y ring (4). */
export const CANNON_FAMILY_COLORS = 2 * RING_COLORS;

/**
 * C[y][x] = Σ_k A[y][k]·B[k][x] on a P×P mesh, this core's part. Placement (by the host, see gemm-blocks):
 * this core holds A block (y, x) and B block (k0, x) with k0 = ring.phys((L(x) + L(y)) mod P), the Cannon
 * skew in ring coordinates; with `alignB` it holds B block (y, x) instead and the skew is applied on chip.
 * The result C block (y, x) is left in buffer `out`.
 */
export function* cannonOnRings(core: Core, ring: LineRing, args: GemmCoreArgs): Generator<RecvRequest, void, Float32Array> {
  const { kBlocks, colors } = args;
  const mBlock = args.mBlocks[core.y];
  const nBlock = args.nBlocks[core.x];
  const P = core.cols;
  const rowLine = lineOf(core, 'x');
  const colLine = lineOf(core, 'y');
  const xColors = colors;
  const yColors = colors + RING_COLORS;
  const lx = ring.logical(core.x);
  const ly = ring.logical(core.y);
  const maxK = Math.max(...kBlocks);
  const aBuf = [core.alloc(`${args.scratch}.a0`, mBlock * maxK), core.alloc(`${args.scratch}.a1`, mBlock * maxK)];
  const bBuf = [core.alloc(`${args.scratch}.b0`, maxK * nBlock), core.alloc(`${args.scratch}.b1`, maxK * nBlock)];
  const c = core.alloc(args.out, mBlock * nBlock);
  let a = into(aBuf[0], core.buffer(args.a));
  let b = into(bBuf[0], core.buffer(args.b));

  // 1. Align A: this core needs the A block of the core L(y) ring positions ahead; go the short way round.
  const backward = ly <= P / 2;
  const alignShifts = backward ? ly : P - ly;
  for (let s = 0; s < alignShifts; s++) {
    ringSend(core, rowLine, ring, a, xColors, !backward);
    a = into(aBuf[(s + 1) % 2], yield ringRecv(core, rowLine, ring, xColors, !backward));
  }
  // 1b. With alignB, the mirror image along Y: column x needs the B block of the core L(x) positions ahead.
  const bBackward = lx <= P / 2;
  const bAlignShifts = args.alignB ? (bBackward ? lx : P - lx) : 0;
  for (let s = 0; s < bAlignShifts; s++) {
    ringSend(core, colLine, ring, b, yColors, !bBackward);
    b = into(bBuf[(s + 1) % 2], yield ringRecv(core, colLine, ring, yColors, !bBackward));
  }

  // 2. P compute-and-shift steps: send both tiles on, multiply the current ones while they travel, wait.
  for (let s = 0; s < P; s++) {
    core.step();
    const kt = kBlocks[ring.phys((lx + ly - s + P * P) % P)]; // k-block held at step s
    const last = s === P - 1;
    if (!last) {
      ringSend(core, rowLine, ring, a, xColors);
      ringSend(core, colLine, ring, b, yColors);
    }
    core.compute(localGemmCost(mBlock, kt, nBlock));
    gemmAccumulate(c, a, b, mBlock, kt, nBlock);
    if (!last) {
      a = into(aBuf[(alignShifts + s + 1) % 2], yield ringRecv(core, rowLine, ring, xColors));
      b = into(bBuf[(bAlignShifts + s + 1) % 2], yield ringRecv(core, colLine, ring, yColors));
    }
  }
  for (const name of ['a0', 'a1', 'b0', 'b1']) core.free(`${args.scratch}.${name}`);
}
