// The per-run pool of a tile's short-lived vectors: message payloads and the cores' scratch vectors. Every
// vector handed out in a run is dead when the next run starts (the core contract says so), so each run takes
// the same vectors again, size by size, instead of allocating new ones.
// Why: V8 backs every typed array over 64 bytes with its own ArrayBuffer (about 1 µs to create, and garbage
// collector work later); taking a kept one costs an index and a fill. See docs/fabric.md, "Buffers".

import { localHeap } from '@wafer/arch';

/** Sizes up to this many floats are looked up by index; larger ones through a map. */
const DIRECT_SIZES = 4096;
/**
 * Vectors up to this many floats are filled and copied by a loop; longer ones by `fill` and `set` (one memmove).
 * A loop costs about 3 ns per float here, the builtins about 50 ns a call: they win from about 16 floats on.
 */
const SHORT = 16;

interface SizeClass {
  vectors: Float32Array[];
  used: number; // vectors of this size handed out in the current run
}

export class VectorArena {
  private readonly direct: (SizeClass | undefined)[] = new Array(DIRECT_SIZES + 1);
  private readonly large = new Map<number, SizeClass>();
  private readonly touched: SizeClass[] = []; // classes used in this run (to reset)
  private readonly heap = localHeap();
  /** Floats handed out since the run started (diagnostics). */
  carved = 0;

  /** A zeroed vector of n floats, valid until `reset`. */
  take(n: number): Float32Array {
    const v = this.takeRaw(n);
    // TypedArray fill and set are calls into the runtime: a plain loop is faster on the short vectors here.
    if (n > SHORT) v.fill(0);
    else for (let k = 0; k < n; k++) v[k] = 0;
    return v;
  }

  /** A vector of n floats with stale contents, valid until `reset` (the caller overwrites every element). */
  takeRaw(n: number): Float32Array {
    let c = n <= DIRECT_SIZES ? this.direct[n] : this.large.get(n);
    if (c === undefined) {
      c = { vectors: [], used: 0 };
      if (n <= DIRECT_SIZES) this.direct[n] = c;
      else this.large.set(n, c);
    }
    if (c.used === 0) this.touched.push(c);
    this.carved += n;
    if (c.used < c.vectors.length) return c.vectors[c.used++];
    const v = this.heap === null ? new Float32Array(n) : this.heap.alloc(n);
    c.vectors.push(v);
    c.used++;
    return v;
  }

  /** A vector holding a copy of `src`. */
  copy(src: Float32Array): Float32Array {
    const n = src.length;
    const v = this.takeRaw(n);
    if (n > SHORT) v.set(src);
    else for (let k = 0; k < n; k++) v[k] = src[k];
    return v;
  }

  /** Starts a run: every vector handed out before is dead and may be handed out again. */
  reset(): void {
    for (let k = 0; k < this.touched.length; k++) this.touched[k].used = 0;
    this.touched.length = 0;
    this.carved = 0;
  }

  /** Bytes the pool holds. */
  get bytes(): number {
    let floats = 0;
    for (const c of this.direct) if (c !== undefined) floats += c.vectors.length * c.vectors[0].length;
    for (const [n, c] of this.large) floats += c.vectors.length * n;
    return floats * 4;
  }
}
