// Q·Kᵀ without a transpose (WaferLLM §2, prefill attention scores): Q stays put; K tiles shift along the
// Y interleaved ring; each step every core multiplies its Q tile by the K tile it holds (transposed access,
// no data movement) and the partials are reduced along X toward the column that owns that key block.

import { elementwiseCost, localGemmCost, type Core, type RecvRequest } from '@wafer/arch';
import { lineOf, lineRoute } from '../line.js';
import { interleavedRing } from '../ring.js';
import { ringRecv, ringSend, RING_COLORS } from '../ring-shift.js';
import { gemmTransBAccumulate } from '../local.js';

export const QKT_COLORS = RING_COLORS + 2;

export interface QktCoreArgs {
  qBlocks: number[]; // query rows per mesh row
  kBlocks: number[]; // keys per key block (block b ends in mesh column b)
  dBlocks: number[]; // feature columns per mesh column
  q: string; // placed Q block (query block y, feature block x) [q × d]
  k: string; // placed K block (key block y, feature block x) [k × d]
  out: string; // result S block (query block y, key block x) [q × k]
  colors: number;
}

/** This core's part of S = Q·Kᵀ. */
export function* qkt(core: Core, args: QktCoreArgs): Generator<RecvRequest, void, Float32Array> {
  const P = core.rows;
  const ring = interleavedRing(P);
  const colLine = lineOf(core, 'y');
  const rowLine = lineOf(core, 'x');
  const shiftColors = args.colors;
  const toHigh = args.colors + RING_COLORS;
  const toLow = toHigh + 1;
  const mq = args.qBlocks[core.y];
  const d = args.dBlocks[core.x];
  const q = core.buffer(args.q);
  let k = core.buffer(args.k);
  const ly = ring.logical(core.y);
  const x = core.x;
  for (let s = 0; s < P; s++) {
    core.step();
    const kb = ring.phys((ly + s) % P); // key block this row holds at step s
    const nk = args.kBlocks[kb];
    const last = s === P - 1;
    if (!last) ringSend(core, colLine, ring, k, shiftColors, false); // to the predecessor: rows advance one block
    const part = core.scratch(mq * nk);
    core.compute(localGemmCost(mq, d, nk));
    gemmTransBAccumulate(part, q, k, mq, d, nk);
    // Reduce the partials along the row toward column kb: streaming relays from both ends.
    if (x < kb) {
      if (x > 0) addInto(part, yield core.stream(toHigh));
      core.give(lineRoute(rowLine, toHigh, x, x + 1), part); // passed on: a fresh vector each step
    } else if (x > kb) {
      if (x < core.cols - 1) addInto(part, yield core.stream(toLow));
      core.give(lineRoute(rowLine, toLow, x, x - 1), part);
    } else {
      if (x > 0) addInto(part, yield core.recv(toHigh));
      if (x < core.cols - 1) addInto(part, yield core.recv(toLow));
      core.compute(elementwiseCost(part.length, 2));
      core.alloc(args.out, part.length).set(part);
    }
    if (!last) k = yield ringRecv(core, colLine, ring, shiftColors, false);
  }
}

function addInto(acc: Float32Array, v: Float32Array): void {
  for (let i = 0; i < acc.length; i++) acc[i] += v[i];
}
