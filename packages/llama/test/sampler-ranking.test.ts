// Candidate ranking for top-k/top-p: probability descending, ties by lower id, identical whether computed by
// the packed-key sort, the top-k heap or a plain comparator sort.

import { describe, expect, test } from 'vitest';
import { idsAtLeast, sortByRank, topKIds } from '../src/generate/top-candidates.js';

/** Probabilities with many exact ties (12 distinct values over 2000 ids), deterministic. */
const probs = Float32Array.from({ length: 2000 }, (_, i) => ((i * 7919) % 12) / 12000);
const plainRank = (ids: number[]): number[] => [...ids].sort((a, b) => probs[b] - probs[a] || a - b);
const allIds = Array.from({ length: probs.length }, (_, i) => i);

describe('candidate ranking', () => {
  test('sortByRank equals the comparator order, ties by lower id', () => {
    const ranked = Array.from(sortByRank(Int32Array.from(allIds), probs));
    expect(ranked).toEqual(plainRank(allIds));
    const top = ranked.slice(0, 3);
    expect(top.every((id) => probs[id] === probs[ranked[0]])).toBe(true);
    expect(top).toEqual([...top].sort((a, b) => a - b));
  });

  test.each([1, 2, 7, 166, 167, 2000])('topKIds(%i) is the first k of the full ranking', (k) => {
    expect(Array.from(topKIds(probs, k))).toEqual(plainRank(allIds).slice(0, k));
  });

  test('idsAtLeast keeps exactly the ids at or above the cutoff, ranked', () => {
    const cutoff = probs[5]; // 7/12000: keeps the values 7/12000 .. 11/12000
    expect(Array.from(idsAtLeast(probs, cutoff))).toEqual(plainRank(allIds.filter((id) => probs[id] >= cutoff)));
  });
});
