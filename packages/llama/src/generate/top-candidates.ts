// Ranking token ids by probability for top-k and top-p: "better" means a higher probability, and among equal
// probabilities a lower id, so every ranking is total and the same on every machine.

/** True when id a ranks strictly before id b. */
function ranksBefore(probs: Float32Array, a: number, b: number): boolean {
  return probs[a] > probs[b] || (probs[a] === probs[b] && a < b);
}

/** Ids below this fit in the low bits of a packed sort key (2^32 float bit patterns * 2^21 ids < 2^53). */
const PACKED_ID_LIMIT = 2 ** 21;

/**
 * Sorts ids in place into rank order (probability descending, ties by lower id). Probabilities are >= 0, so
 * their float32 bit patterns order like their values; each id becomes the exact double
 * bits * 2^21 + (2^21 - 1 - id), and a native Float64Array sort of those keys (ascending, read backwards) is
 * about 3x faster than a comparator sort of a near-uniform 32k vocabulary.
 */
export function sortByRank(ids: Int32Array, probs: Float32Array): Int32Array {
  if (probs.length > PACKED_ID_LIMIT) return ids.sort((a, b) => probs[b] - probs[a] || a - b);
  const bits = new Uint32Array(probs.buffer, probs.byteOffset, probs.length);
  const keys = new Float64Array(ids.length);
  for (let i = 0; i < ids.length; i++) keys[i] = bits[ids[i]] * PACKED_ID_LIMIT + (PACKED_ID_LIMIT - 1 - ids[i]);
  keys.sort();
  for (let i = 0; i < ids.length; i++) ids[i] = PACKED_ID_LIMIT - 1 - (keys[keys.length - 1 - i] % PACKED_ID_LIMIT);
  return ids;
}

/**
 * The k best ids of probs[n], in rank order: a k-entry min-heap (root = worst kept id) over one pass, so
 * O(n log k) instead of sorting the whole vocabulary. Requires 1 <= k <= n.
 */
export function topKIds(probs: Float32Array, k: number): Int32Array {
  const heap = new Int32Array(k); // ids; heap[0] ranks last among those kept
  const worseThan = (i: number, j: number): boolean => ranksBefore(probs, heap[j], heap[i]);
  const siftDown = (start: number): void => {
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let worst = i;
      if (left < k && worseThan(left, worst)) worst = left;
      if (right < k && worseThan(right, worst)) worst = right;
      if (worst === i) return;
      const tmp = heap[i];
      heap[i] = heap[worst];
      heap[worst] = tmp;
      i = worst;
    }
  };
  for (let id = 0; id < k; id++) heap[id] = id;
  for (let i = (k >> 1) - 1; i >= 0; i--) siftDown(i);
  for (let id = k; id < probs.length; id++) {
    if (ranksBefore(probs, id, heap[0])) {
      heap[0] = id;
      siftDown(0);
    }
  }
  return sortByRank(heap, probs);
}

/** Ids whose probability is at least `cutoff`, in rank order (run.c's top-p prefilter). */
export function idsAtLeast(probs: Float32Array, cutoff: number): Int32Array {
  let count = 0;
  for (let i = 0; i < probs.length; i++) if (probs[i] >= cutoff) count++;
  const ids = new Int32Array(count);
  let next = 0;
  for (let i = 0; i < probs.length; i++) if (probs[i] >= cutoff) ids[next++] = i;
  return sortByRank(ids, probs);
}
