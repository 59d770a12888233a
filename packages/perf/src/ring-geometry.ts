// Logical rings laid on a physical line of N cores, as the kernels build them: MeshGEMM's interleaved ring
// (every edge ≤ 2 hops, wafer-notes §2) and Cannon's plain ring (closing edge N−1 hops). Hop counts only.

import type { LineRing } from '@wafer/arch';

export { interleavedRing, plainRing } from '@wafer/arch';
/** A ring over positions 0..n−1 of a line (the kernels' LineRing). */
export type RingGeometry = LineRing;

/** Hops of the ring edge from physical position i to its successor. */
export function edgeHops(ring: RingGeometry, i: number): number {
  return Math.abs(ring.succ(i) - i);
}

/** The longest ring edge in hops (0 for a ring of one core). */
export function maxEdgeHops(ring: RingGeometry): number {
  let h = 0;
  for (let i = 0; i < ring.n; i++) h = Math.max(h, edgeHops(ring, i));
  return h;
}

/**
 * The largest total hop count over any `k` consecutive ring edges: the slowest row of a k-shift rotation,
 * where each shift waits for the tile from the neighbour (a chain of k transfers around the ring).
 */
export function maxHopsOverConsecutiveEdges(ring: RingGeometry, k: number): number {
  const n = ring.n;
  if (k <= 0 || n <= 1) return 0;
  const hops: number[] = [];
  let l = 0;
  for (let step = 0; step < n; step++) {
    const i = ring.phys(l);
    hops.push(edgeHops(ring, i));
    l = (l + 1) % n;
  }
  let best = 0;
  for (let s = 0; s < n; s++) {
    let sum = 0;
    for (let j = 0; j < k; j++) sum += hops[(s + j) % n];
    best = Math.max(best, sum);
  }
  return best;
}
