// The local memory of the virtual cores a thread runs: one WebAssembly memory per thread, from which the fabric
// takes every core's buffers and vectors, so that the WebAssembly local kernels (packages/kernels) read weights
// and activations where they are, without copying them in. Falls back to plain arrays when it is full.

import { WaferError } from './errors.js';

/** Bytes per WebAssembly page. */
const PAGE_BYTES = 65536;
/** Largest memory: 4 GiB, wasm32's limit (the address space is reserved, not committed). */
const MAX_PAGES = 65536;
/** Every block starts on 16 bytes (one SIMD vector). */
const ALIGN_BYTES = 16;

/**
 * A thread's heap of Float32Array blocks inside one shared WebAssembly.Memory. Shared, because growing a shared
 * memory never detaches the views already handed out. Freed blocks are kept by exact size and handed out
 * again (zeroed); nothing is coalesced: the workloads reuse a few sizes again and again.
 */
export class LocalHeap {
  readonly memory: WebAssembly.Memory;
  private buffer: SharedArrayBuffer;
  private readonly buffers: SharedArrayBuffer[] = []; // every buffer object the memory has had (views keep theirs)
  private top = ALIGN_BYTES; // bump pointer in bytes (offset 0 is never handed out)
  private readonly free = new Map<number, number[]>(); // block bytes → free offsets
  /** Blocks that did not fit (plain arrays instead). */
  fallbacks = 0;

  private readonly maxPages: number;

  /** `maxBytes` (default and at most 4 GiB) bounds the memory; blocks beyond it are plain arrays. */
  constructor(initialBytes = 16 * PAGE_BYTES, maxBytes = MAX_PAGES * PAGE_BYTES) {
    this.maxPages = Math.min(MAX_PAGES, Math.floor(maxBytes / PAGE_BYTES));
    this.memory = new WebAssembly.Memory({ initial: Math.ceil(initialBytes / PAGE_BYTES), maximum: MAX_PAGES, shared: true });
    this.buffer = this.memory.buffer as unknown as SharedArrayBuffer;
    this.buffers.push(this.buffer);
  }

  /** A zeroed block of n floats. */
  alloc(n: number): Float32Array {
    const bytes = blockBytes(n);
    const list = this.free.get(bytes);
    if (list !== undefined && list.length > 0) {
      const v = new Float32Array(this.buffer, list.pop()!, n);
      v.fill(0);
      return v;
    }
    if (this.top + bytes > this.buffer.byteLength && !this.grow(this.top + bytes)) {
      this.fallbacks++;
      return new Float32Array(n);
    }
    const v = new Float32Array(this.buffer, this.top, n); // never used before: zero
    this.top += bytes;
    return v;
  }

  /** Returns a block for reuse (plain arrays are left to the garbage collector). */
  release(v: Float32Array): void {
    if (!this.owns(v)) return;
    const bytes = blockBytes(v.length);
    let list = this.free.get(bytes);
    if (list === undefined) this.free.set(bytes, (list = []));
    list.push(v.byteOffset);
  }

  /** True when `v` lives in this heap (so a kernel can address it by `v.byteOffset`). */
  owns(v: Float32Array): boolean {
    const b = v.buffer;
    if (b === this.buffer) return true;
    for (let k = 0; k < this.buffers.length; k++) if (this.buffers[k] === b) return true;
    return false;
  }

  /** Bytes handed out or held for reuse. */
  get usedBytes(): number {
    return this.top;
  }

  private grow(needBytes: number): boolean {
    const have = this.buffer.byteLength;
    // Double (at least), so views stay spread over few buffer objects and growth is rare.
    const wantPages = Math.min(this.maxPages, Math.max(Math.ceil(needBytes / PAGE_BYTES), Math.ceil((2 * have) / PAGE_BYTES)));
    if (wantPages * PAGE_BYTES < needBytes) return false;
    try {
      this.memory.grow(wantPages - have / PAGE_BYTES);
    } catch {
      return false; // the host refused the memory: plain arrays from here on
    }
    this.buffer = this.memory.buffer as unknown as SharedArrayBuffer;
    this.buffers.push(this.buffer);
    return true;
  }
}

function blockBytes(n: number): number {
  return Math.max(ALIGN_BYTES, Math.ceil((n * 4) / ALIGN_BYTES) * ALIGN_BYTES);
}

let threadHeap: LocalHeap | null | undefined;

/**
 * This thread's heap, created on first use; null where shared WebAssembly memory is unavailable (every block
 * is then a plain array, and the local kernels run their JavaScript versions). WAFER_LOCAL_HEAP_MIB (a whole
 * number of MiB, 1 to 4096) bounds it below wasm32's 4 GiB, so that a test can fill a heap.
 */
export function localHeap(): LocalHeap | null {
  if (threadHeap === undefined) {
    const bound = heapBoundBytes();
    try {
      threadHeap = new LocalHeap(Math.min(16 * PAGE_BYTES, bound ?? Infinity), bound);
    } catch {
      threadHeap = null;
    }
  }
  return threadHeap;
}

/** Throws the USAGE error of a bad WAFER_LOCAL_HEAP_MIB (the CLI checks it once, before any thread starts). */
export function checkLocalHeapBound(): void {
  heapBoundBytes();
}

/** WAFER_LOCAL_HEAP_MIB in bytes (undefined: not set); anything but a whole number of MiB from 1 to 4096 throws. */
function heapBoundBytes(): number | undefined {
  const mib = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.WAFER_LOCAL_HEAP_MIB;
  if (mib === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(mib) || Number(mib) > 4096) {
    throw new WaferError('USAGE', `WAFER_LOCAL_HEAP_MIB must be a whole number of MiB from 1 to 4096, got '${mib}'`);
  }
  return Number(mib) * 1024 * 1024;
}
