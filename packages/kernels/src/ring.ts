// Logical rings laid on a physical line of N cores: the interleaved ring of MeshGEMM (every edge ≤ 2 hops)
// and the plain ring of Cannon's algorithm (closing edge N−1 hops).

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
  return {
    n,
    phys,
    logical,
    succ: (i) => phys((logical(i) + 1) % n),
    pred: (i) => phys((logical(i) + n - 1) % n),
  };
}

/**
 * Cannon's plain ring, shifting toward lower positions: i → i−1, and the wrap-around 0 → N−1 (N−1 hops).
 * Logical position l sits at physical (N − l) mod N, so `succ` is one logical step like the interleaved ring.
 */
export function plainRing(n: number): LineRing {
  return {
    n,
    phys: (l) => (n - l) % n,
    logical: (i) => (n - i) % n,
    succ: (i) => (i + n - 1) % n,
    pred: (i) => (i + 1) % n,
  };
}
