// run.c's BPE merge loop (repeatedly merge the adjacent pair with the best score, ties to the leftmost pair),
// done with a linked list and a max-heap so a long text costs O(n log n) instead of run.c's O(n²).

/** What merging two adjacent ids gives: the merged id and its score, or undefined when the pair does not merge. */
export type PairLookup = (leftId: number, rightId: number) => { id: number; score: number } | undefined;

interface Candidate {
  score: number;
  left: number; // node index of the left element; node order equals sequence order
  right: number;
  leftVersion: number;
  rightVersion: number;
  mergedId: number;
}

/** true when a should be merged before b: higher score first, then the leftmost pair (run.c's strict `>`). */
function before(a: Candidate, b: Candidate): boolean {
  return a.score > b.score || (a.score === b.score && a.left < b.left);
}

class CandidateHeap {
  private readonly items: Candidate[] = [];

  get size(): number {
    return this.items.length;
  }

  push(c: Candidate): void {
    const items = this.items;
    items.push(c);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): Candidate {
    const items = this.items;
    const top = items[0];
    const last = items.pop() as Candidate;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < items.length && before(items[l], items[best])) best = l;
        if (r < items.length && before(items[r], items[best])) best = r;
        if (best === i) break;
        [items[i], items[best]] = [items[best], items[i]];
        i = best;
      }
    }
    return top;
  }
}

/**
 * Merge `ids` in place of run.c's loop: while some adjacent pair merges, replace the pair with the best score
 * (strictly greater wins, so ties go to the leftmost pair) by its merged id. Returns the merged sequence.
 */
export function mergeByScore(ids: readonly number[], lookup: PairLookup): number[] {
  const n = ids.length;
  const id = Int32Array.from(ids);
  const next = new Int32Array(n); // -1 past the end
  const prev = new Int32Array(n); // -1 before the start
  const version = new Int32Array(n); // bumped when a node changes id or is removed
  const alive = new Uint8Array(n).fill(1);
  for (let i = 0; i < n; i++) {
    next[i] = i + 1 < n ? i + 1 : -1;
    prev[i] = i - 1;
  }
  const heap = new CandidateHeap();
  const consider = (left: number, right: number): void => {
    if (left < 0 || right < 0) return;
    const merged = lookup(id[left], id[right]);
    if (merged === undefined) return;
    heap.push({ score: merged.score, left, right, leftVersion: version[left], rightVersion: version[right], mergedId: merged.id });
  };
  for (let i = 0; i + 1 < n; i++) consider(i, i + 1);

  while (heap.size > 0) {
    const c = heap.pop();
    const stale =
      !alive[c.left] || !alive[c.right] || next[c.left] !== c.right ||
      version[c.left] !== c.leftVersion || version[c.right] !== c.rightVersion;
    if (stale) continue;
    id[c.left] = c.mergedId;
    version[c.left]++;
    alive[c.right] = 0;
    version[c.right]++;
    next[c.left] = next[c.right];
    if (next[c.right] >= 0) prev[next[c.right]] = c.left;
    consider(prev[c.left], c.left);
    consider(c.left, next[c.left]);
  }

  const out: number[] = [];
  for (let i = n > 0 ? 0 : -1; i >= 0; i = next[i]) out.push(id[i]);
  return out;
}
