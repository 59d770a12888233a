// The interleaved ring of wafer-notes §2 (even positions ascending, then odd descending; every edge ≤ 2
// hops) and Cannon's plain ring (one wrap-around edge of N−1 hops).
import { describe, expect, it } from 'vitest';
import { interleavedRing, maxEdgeHops, maxHopsOverConsecutiveEdges, plainRing } from '../src/index.js';

const order = (n: number, ring = interleavedRing(n)) => Array.from({ length: n + 1 }, (_, l) => ring.phys(l % n));

describe('ring geometry', () => {
  it('N=6 and N=5 visit the published orders', () => {
    expect(order(6)).toEqual([0, 2, 4, 5, 3, 1, 0]);
    expect(order(5)).toEqual([0, 2, 4, 3, 1, 0]);
  });
  it('logical and physical positions are inverse, every edge ≤ 2 hops', () => {
    for (const n of [3, 4, 7, 10, 33]) {
      const ring = interleavedRing(n);
      for (let i = 0; i < n; i++) {
        expect(ring.phys(ring.logical(i))).toBe(i);
        expect(ring.pred(ring.succ(i))).toBe(i);
      }
      expect(maxEdgeHops(ring)).toBe(2);
    }
  });
  it('the plain ring has one wrap-around edge of N−1 hops', () => {
    const ring = plainRing(8);
    expect(maxEdgeHops(ring)).toBe(7);
    expect(maxHopsOverConsecutiveEdges(ring, 3)).toBe(9); // 7 + 1 + 1
    // 0→2→4→6→7→5→3→1→0: edges 2,2,2,1,2,2,2,1, so any 4 consecutive edges cross a 1-hop turn.
    expect(maxHopsOverConsecutiveEdges(interleavedRing(8), 4)).toBe(7);
  });
});
