// Q·Kᵀ without a transpose (wafer-notes §2; packages/kernels/src/gemm/qkt.ts), prefill attention scores
// S[T×T] = Q[T×d]·K[T×d]ᵀ on a P×P mesh: K tiles shift along the Y interleaved ring for P steps; each step
// every core multiplies Q_tile·K_tileᵀ and the partials are reduce-streamed along X to the key block's column.

import type { MachineSpec } from '@wafer/arch';
import { elementwiseCycles, localGemmCycles } from './elementwise.js';
import type { LocalGemmModel } from './gemm-cannon-family.js';
import { chainHeadCycles, linkCosts, maxBlock, positiveInt, ser } from './link-timing.js';

export interface QktWorkload {
  queries: number; // rows of Q (split along Y)
  keys: number; // rows of K (key blocks end in mesh columns)
  dim: number; // feature width (split along X)
  p: number;
  /** The local multiply's cost (default: the emulator's kernels, localGemmCycles). */
  local?: LocalGemmModel;
}

export interface QktBreakdown {
  qBlock: number;
  kBlock: number;
  dBlock: number;
  steps: number;
  stepComputeCycles: number;
  /** Per later step: the short reduction chain from the old root, partial receives and the next K tile. */
  stepReduceCycles: number;
  totalCycles: number;
}

/**
 * Modeled cycles of Q·Kᵀ. A step of one row whose root column is kb: every core sends its K tile on, then
 * multiplies; chains stream the partials toward kb from both ends (α + μ per link, β per relay); the root
 * takes the low side's partial, then the high side's (its router-to-core link passes one at a time), scales
 * and masks (2 element-wise ops), then takes the next K tile. Rows run unsynchronised: after the first step
 * a row's root moves one ring edge (≤ 2 hops), and the old root, the late core, is now the first relay of
 * the new root's chain on that side. So the first step of the row whose root is at a line end costs a
 * full chain of P−1 links, and every later step costs the short chain from the old root: with the old root
 * on the low side (even positions ascending) the new root takes both partials after it, on the high side
 * (odd positions descending) only the late one. Checked against a per-core recurrence of the kernel:
 * within 2% for P ≥ 4 (7% at P = 3).
 */
export function qktCycles(spec: MachineSpec, w: QktWorkload): QktBreakdown {
  positiveInt(w.queries, 'Q·Kᵀ queries');
  positiveInt(w.keys, 'Q·Kᵀ keys');
  positiveInt(w.dim, 'Q·Kᵀ dim');
  positiveInt(w.p, 'Q·Kᵀ mesh side');
  const P = w.p;
  const c = linkCosts(spec);
  const qBlock = maxBlock(w.queries, P);
  const kBlock = maxBlock(w.keys, P);
  const dBlock = maxBlock(w.dim, P);
  const compute = (w.local ?? localGemmCycles)(spec, qBlock, dBlock, kBlock);
  const serK = ser(spec, kBlock * dBlock); // K tile [kBlock × dBlock]
  const serS = ser(spec, qBlock * kBlock); // partial score block [qBlock × kBlock]
  const scale = elementwiseCycles(spec, qBlock * kBlock, 2);
  const breakdown = { qBlock, kBlock, dBlock, steps: P, stepComputeCycles: compute };
  if (P === 1) return { ...breakdown, stepReduceCycles: scale, totalCycles: spec.stepCycles + compute + scale };
  // Until the chains start: the multiply, and the K tile leaving first on the core-to-router link.
  const started = spec.stepCycles + Math.max(compute, serK);
  const tail = Math.max(scale, serK); // scaling overlaps the next K tile's arrival behind the partials
  const move = Math.min(2, P - 1);
  const firstStep = started + chainHeadCycles(c, P - 1) + serS + tail;
  const laterStep = started + chainHeadCycles(c, move) + 1.5 * serS + tail; // mean of the two cases
  const lastStep = spec.stepCycles + compute + chainHeadCycles(c, move) + 1.5 * serS + scale; // no K shift
  const totalCycles = Math.round(firstStep + (P - 2) * laterStep + lastStep);
  return { ...breakdown, stepReduceCycles: laterStep - started, totalCycles };
}
