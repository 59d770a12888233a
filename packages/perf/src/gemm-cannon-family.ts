// MeshGEMM and Cannon (wafer-notes §2; packages/kernels/src/gemm/cannon-family.ts): C[M×N] = A[M×K]·B[K×N]
// on a P×P mesh by P compute-and-shift steps on two logical rings, after aligning A along X. The two differ
// only in the ring: interleaved (every edge ≤ 2 hops) or plain (one wrap-around edge of P−1 hops).

import type { MachineSpec } from '@wafer/arch';
import { localGemmCycles } from './elementwise.js';
import { linkCosts, maxBlock, positiveInt, ser } from './link-timing.js';
import { interleavedRing, maxEdgeHops, maxHopsOverConsecutiveEdges, plainRing, type RingGeometry } from './ring-geometry.js';

/** Cycles of one core's local C[m×n] += A[m×k]·B[k×n]. */
export type LocalGemmModel = (spec: MachineSpec, m: number, k: number, n: number) => number;

export interface GemmWorkload {
  m: number; // rows of A and C (split along Y)
  k: number; // the reduction dimension
  n: number; // columns of B and C (split along X)
  p: number; // mesh side: the mesh is P×P
  /** The local multiply's cost (default: the emulator's kernels, localGemmCycles). */
  local?: LocalGemmModel;
}

/** On-chip re-layouts a MeshGEMM or Cannon call pays before its steps. */
export interface GemmLayoutOptions {
  /** Rotate A into place along X (default true; false when an earlier GEMM already aligned the same A). */
  alignA?: boolean;
  /** Skew B along Y on chip (default false: weights are pre-skewed by placement; true for V in S·V). */
  skewB?: boolean;
}

export interface GemmBreakdown {
  mBlock: number; // largest block of each dimension on one core
  kBlock: number;
  nBlock: number;
  alignCycles: number; // on-chip re-layout before the steps: A along X (and B along Y when asked); 0 for SUMMA
  steps: number; // compute steps (P)
  stepComputeCycles: number; // one local multiply of the largest tiles
  stepCommCycles: number; // what one ordinary step waits for beyond its fixed step cost
  totalCycles: number;
}

/** Blocks and per-step pieces shared by the GEMM models. */
export function gemmTiles(spec: MachineSpec, w: GemmWorkload) {
  positiveInt(w.m, 'GEMM m');
  positiveInt(w.k, 'GEMM k');
  positiveInt(w.n, 'GEMM n');
  positiveInt(w.p, 'GEMM mesh side');
  const mBlock = maxBlock(w.m, w.p);
  const kBlock = maxBlock(w.k, w.p);
  const nBlock = maxBlock(w.n, w.p);
  return {
    mBlock,
    kBlock,
    nBlock,
    compute: (w.local ?? localGemmCycles)(spec, mBlock, kBlock, nBlock),
    serA: ser(spec, mBlock * kBlock), // A tile [mBlock × kBlock]
    serB: ser(spec, kBlock * nBlock), // B tile [kBlock × nBlock]
  };
}

/**
 * Cannon's schedule on a ring. A route holds one tile at a time (flow control): a tile leaves only once
 * the receiver took the previous one and the credit travelled back, so a route of h hops cannot carry a
 * tile more often than every 2hα + μ + ser(tile) cycles.
 * Alignment: the slowest row rotates A by ⌊P/2⌋ shifts, each waiting for its neighbour's tile: over the
 * costliest run of edges, hα + μ + ser(A) per shift, plus the credit's way back for every shift but the
 * first (on Cannon's plain ring the wrap-around edge's round trip paces every shift of the row).
 * Steps: a core's next step waits for its own multiply or for the tiles its ring predecessors sent at the
 * start of the step (B leaves after A on the one core-to-router link), and at least for the slowest
 * route's round trip. A critical path on the interleaved ring can always follow 2-hop edges; on the plain
 * ring it crosses the wrap-around edge at most once per axis, adding what a step's slack does not hide.
 * Checked against a per-core recurrence of the kernel: within 6% for P = 2..100.
 */
function cannonOnRing(spec: MachineSpec, w: GemmWorkload, ring: RingGeometry, ordinaryHops: number, layout: GemmLayoutOptions): GemmBreakdown {
  const t = gemmTiles(spec, w);
  const c = linkCosts(spec);
  const P = w.p;
  const base = { mBlock: t.mBlock, kBlock: t.kBlock, nBlock: t.nBlock, steps: P, stepComputeCycles: t.compute };
  if (P === 1) return { ...base, alignCycles: 0, stepCommCycles: 0, totalCycles: spec.stepCycles + t.compute };
  const hMax = maxEdgeHops(ring);
  const hops = Math.min(ordinaryHops, hMax);
  const shifts = Math.floor(P / 2);
  const runHops = maxHopsOverConsecutiveEdges(ring, shifts);
  const rotate = (serTile: number) =>
    hops === hMax
      ? c.alpha * (2 * runHops - 1) + shifts * (c.mu + serTile)
      : c.alpha * runHops + shifts * (c.mu + serTile) + (shifts - 1) * (2 * hMax - 1) * c.alpha;
  const alignCycles = (layout.alignA ?? true ? rotate(t.serA) : 0) + (layout.skewB ?? false ? rotate(t.serB) : 0);
  const tilesComm = (h: number) => c.alpha * h + c.mu + t.serA + t.serB;
  const stepComm = tilesComm(hops);
  const roundTrip = 2 * hMax * c.alpha + c.mu + Math.max(t.serA, t.serB);
  const perStep = Math.max(spec.stepCycles + Math.max(t.compute, stepComm), roundTrip);
  const longEdgeExtra = hMax > hops ? Math.min(2, P - 1) * Math.max(0, tilesComm(hMax) - Math.max(t.compute, stepComm)) : 0;
  const totalCycles = alignCycles + (P - 1) * perStep + spec.stepCycles + t.compute + longEdgeExtra;
  return { ...base, alignCycles, stepCommCycles: perStep - spec.stepCycles, totalCycles };
}

/** MeshGEMM on a P×P mesh: interleaved rings, every shift ≤ 2 hops. */
export function meshGemmCycles(spec: MachineSpec, w: GemmWorkload, layout: GemmLayoutOptions = {}): GemmBreakdown {
  const ring = interleavedRing(w.p);
  return cannonOnRing(spec, w, ring, maxEdgeHops(ring), layout); // a critical path can always follow 2-hop edges
}

/** Cannon's algorithm on a P×P mesh: plain rings, the wrap-around shift is P−1 hops. */
export function cannonCycles(spec: MachineSpec, w: GemmWorkload, layout: GemmLayoutOptions = {}): GemmBreakdown {
  return cannonOnRing(spec, w, plainRing(w.p), 1, layout);
}
