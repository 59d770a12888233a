// Logical rings laid on a physical line of N cores, as the kernels build them: MeshGEMM's interleaved ring
// (every edge ≤ 2 hops, wafer-notes §2) and Cannon's plain ring (closing edge N−1 hops). Hop counts only.

/** A ring over positions 0..n−1 of a line. */
export interface RingGeometry {
  readonly n: number;
  /** Physical position of logical position l. */
  phys(l: number): number;
  /** Logical position of physical position i. */
  logical(i: number): number;
  /** Physical position of i's successor / predecessor on the ring. */
  succ(i: number): number;
  pred(i: number): number;
}

/** Interleaved ring: even positions ascending, then odd positions descending (N=6: 0→2→4→5→3→1→0). */
export function interleavedRing(n: number): RingGeometry {
  const evens = Math.ceil(n / 2);
  const largestOdd = n % 2 === 0 ? n - 1 : n - 2;
  const phys = (l: number) => (l < evens ? 2 * l : largestOdd - 2 * (l - evens));
  const logical = (i: number) => (i % 2 === 0 ? i / 2 : n - (i + 1) / 2);
  return { n, phys, logical, succ: (i) => phys((logical(i) + 1) % n), pred: (i) => phys((logical(i) + n - 1) % n) };
}

/** Cannon's plain ring shifting toward lower positions: i → i−1 and the wrap-around 0 → N−1. */
export function plainRing(n: number): RingGeometry {
  return { n, phys: (l) => (n - l) % n, logical: (i) => (n - i) % n, succ: (i) => (i + n - 1) % n, pred: (i) => (i + 1) % n };
}

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
