// Geometry of the logical structures kernels lay on a physical line of cores: MeshGEMM's interleaved ring,
// Cannon's plain ring, and the K-tree's groups. Shared by the kernels and the analytical model.

import { evenSplit } from './mesh.js';

/** A ring over positions 0..N-1 of a line: logical order and each position's neighbours. */
export interface LineRing {
  readonly n: number;
  /** Physical position of logical position l. */
  phys(l: number): number;
  /** Logical position of physical position i. */
  logical(i: number): number;
  /** Physical position of i's ring successor / predecessor. */
  succ(i: number): number;
  pred(i: number): number;
}

/**
 * MeshGEMM's interleaved ring: even positions ascending, then odd positions descending.
 * N = 6: 0→2→4→5→3→1→0; N = 5: 0→2→4→3→1→0. Every logical neighbour is at most 2 hops away.
 */
export function interleavedRing(n: number): LineRing {
  const evens = Math.ceil(n / 2);
  const largestOdd = n % 2 === 0 ? n - 1 : n - 2;
  const phys = (l: number) => (l < evens ? 2 * l : largestOdd - 2 * (l - evens));
  const logical = (i: number) => (i % 2 === 0 ? i / 2 : n - (i + 1) / 2);
  return { n, phys, logical, succ: (i) => phys((logical(i) + 1) % n), pred: (i) => phys((logical(i) + n - 1) % n) };
}

/**
 * Cannon's plain ring, shifting toward lower positions: i → i−1, and the wrap-around 0 → N−1 (N−1 hops).
 * Logical position l sits at physical (N − l) mod N, so `succ` is one logical step like the interleaved ring.
 */
export function plainRing(n: number): LineRing {
  return { n, phys: (l) => (n - l) % n, logical: (i) => (n - i) % n, succ: (i) => (i + n - 1) % n, pred: (i) => (i + 1) % n };
}

/** Default K-tree group count for a line of P cores: about √P (the authors: P=420→20, 720→24, 64→8). */
export function defaultGroups(p: number): number {
  return Math.max(1, Math.round(Math.sqrt(p)));
}

/** The K-tree's groups on a line: G runs of consecutive cores (sizes differ by ≤ 1, larger first) and each run's middle core. */
export interface KtreeGroups {
  start: number[];
  size: number[];
  root: number[];
}

const groupCache = new Map<number, KtreeGroups>();

/** The K-tree's groups for a line of p cores split into `groups` runs (memoised: kernels ask per message). */
export function ktreeGroups(p: number, groups: number): KtreeGroups {
  const key = p * 65536 + groups;
  let cached = groupCache.get(key);
  if (cached === undefined) {
    const size = evenSplit(p, Math.min(p, Math.max(1, groups)));
    const start: number[] = [];
    const root: number[] = [];
    let s = 0;
    for (const n of size) {
      start.push(s);
      root.push(s + Math.floor((n - 1) / 2));
      s += n;
    }
    cached = { start, size, root };
    groupCache.set(key, cached);
  }
  return cached;
}
