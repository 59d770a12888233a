// The per-core numerical kernels the mesh kernels call: the WebAssembly SIMD versions (wasm/local.wat) on
// operands in the thread's local heap, the JavaScript versions (local-js.ts) where WebAssembly is unavailable
// or WAFER_LOCAL_KERNELS=js asks for them. Both give bit-identical results (tested), so the choice never
// changes a token, a logit or a modeled cycle; their modeled cost is charged by the caller.

import { localHeap, localKernelClock, type LocalHeap } from '@wafer/arch';
import { LOCAL_WASM } from './wasm/local-wasm.js';
import { addIntoJs, attnScoresJs, attnValuesJs, gemmAccumulateJs, gemmTransBAccumulateJs, gemvLocalJs, maxIntoJs } from './local-js.js';

export { addIntoJs, attnScoresJs, attnValuesJs, gemmAccumulateJs, gemmTransBAccumulateJs, gemvLocalJs, maxIntoJs };

type Ptr = number;

interface LocalWasm {
  gemv(x: Ptr, w: Ptr, y: Ptr, m: number, n: number): void;
  gemm(c: Ptr, a: Ptr, b: Ptr, m: number, k: number, n: number): void;
  gemmTransB(s: Ptr, q: Ptr, k: Ptr, m: number, d: number, n: number): void;
  attnScores(out: Ptr, q: Ptr, keys: Ptr, b: number, count: number, nrep: number, kvOff: number, headDim: number): void;
  attnValues(out: Ptr, probs: Ptr, values: Ptr, b: number, count: number, nrep: number, kvOff: number, headDim: number): void;
  addInto(acc: Ptr, v: Ptr, n: number): void;
  maxInto(acc: Ptr, v: Ptr, n: number): void;
}

let wasm: LocalWasm | null | undefined;
let heap: LocalHeap | null = null;

/** This thread's instance of the WebAssembly kernels over its local heap (null: use JavaScript). */
function localWasm(): LocalWasm | null {
  if (wasm === undefined) {
    heap = localHeap();
    const wanted = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.WAFER_LOCAL_KERNELS !== 'js';
    wasm = null;
    if (wanted && heap !== null) {
      const instance = new WebAssembly.Instance(new WebAssembly.Module(LOCAL_WASM), { env: { memory: heap.memory } });
      wasm = instance.exports as unknown as LocalWasm;
    }
  }
  return wasm;
}

/** Which implementation this thread's local kernels use. */
export function localKernelsBackend(): 'wasm' | 'js' {
  return localWasm() === null ? 'js' : 'wasm';
}

// Operands outside the heap (plain arrays from a caller) are staged in heap blocks for the call.
const staged: { from: Float32Array; block: Float32Array; writeBack: boolean }[] = [];

/** Set when an operand of the current call found no room in the heap: the call then runs in JavaScript. */
let noRoom = false;

/**
 * The heap address of `v`, staging a copy of its first n floats when it lives elsewhere. When the heap has no room
 * for the copy (a full heap hands out a plain array, which WebAssembly cannot address) it sets `noRoom`, stages no
 * further operand of the call, and returns 0; the caller then asks `stagingFailed`.
 */
function ptr(v: Float32Array, n: number, writeBack: boolean): Ptr {
  if (heap!.owns(v)) return v.byteOffset;
  if (noRoom) return 0;
  const block = heap!.alloc(n);
  if (!heap!.owns(block)) {
    noRoom = true;
    return 0;
  }
  block.set(n === v.length ? v : v.subarray(0, n));
  staged.push({ from: v, block, writeBack });
  return block.byteOffset;
}

/** After a call: copies written operands back to where they live and frees the staging blocks. */
function unstage(): void {
  for (const s of staged) {
    if (s.writeBack) s.from.set(s.block.subarray(0, Math.min(s.block.length, s.from.length)));
    heap!.release(s.block);
  }
  staged.length = 0;
}

/** After staging a call's operands: true when one had no room, with the staging undone (nothing written back). */
function stagingFailed(): boolean {
  if (!noRoom) return false;
  for (const s of staged) heap!.release(s.block);
  staged.length = 0;
  noRoom = false;
  return true;
}

// When the fabric profiles wall time, each entry point below adds its kernel's wall time to the thread's clock
// (all but addInto and maxInto, an allreduce's element-wise step, which --profile-wall counts with the programs).
// Written out in each (a closure over the arguments would make every call allocate a context, profiling or not).
function clockFrom(t0: number): void {
  localKernelClock.ms += performance.now() - t0;
  localKernelClock.calls++;
}

/** y[n] = x[m] · W[m×n] (W row-major): y_j = Σ_i x_i W_ij, accumulated in double, i ascending. */
export function gemvLocal(y: Float32Array, x: Float32Array, w: Float32Array, m: number, n: number): void {
  if (!localKernelClock.enabled) return gemv(y, x, w, m, n);
  const t0 = performance.now();
  gemv(y, x, w, m, n);
  clockFrom(t0);
}

function gemv(y: Float32Array, x: Float32Array, w: Float32Array, m: number, n: number): void {
  const k = localWasm();
  if (k === null) return gemvLocalJs(y, x, w, m, n);
  const px = ptr(x, m, false);
  const pw = ptr(w, m * n, false);
  const py = ptr(y, n, true);
  if (stagingFailed()) return gemvLocalJs(y, x, w, m, n);
  k.gemv(px, pw, py, m, n);
  if (staged.length > 0) unstage();
}

/** C[m×n] += A[m×k] · B[k×n], all row-major. Accumulates in C (float32), k ascending. */
export function gemmAccumulate(c: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number): void {
  if (!localKernelClock.enabled) return gemm(c, a, b, m, k, n);
  const t0 = performance.now();
  gemm(c, a, b, m, k, n);
  clockFrom(t0);
}

function gemm(c: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number): void {
  const kern = localWasm();
  if (kern === null) return gemmAccumulateJs(c, a, b, m, k, n);
  const pc = ptr(c, m * n, true);
  const pa = ptr(a, m * k, false);
  const pb = ptr(b, k * n, false);
  if (stagingFailed()) return gemmAccumulateJs(c, a, b, m, k, n);
  kern.gemm(pc, pa, pb, m, k, n);
  if (staged.length > 0) unstage();
}

/** S[m×n] += Q[m×d] · K[n×d]ᵀ (rows of K are keys): dot products in double, added to S in float32. */
export function gemmTransBAccumulate(s: Float32Array, q: Float32Array, k: Float32Array, m: number, d: number, n: number): void {
  if (!localKernelClock.enabled) return gemmTransB(s, q, k, m, d, n);
  const t0 = performance.now();
  gemmTransB(s, q, k, m, d, n);
  clockFrom(t0);
}

function gemmTransB(s: Float32Array, q: Float32Array, k: Float32Array, m: number, d: number, n: number): void {
  const kern = localWasm();
  if (kern === null) return gemmTransBAccumulateJs(s, q, k, m, d, n);
  const ps = ptr(s, m * n, true);
  const pq = ptr(q, m * d, false);
  const pk = ptr(k, n * d, false);
  if (stagingFailed()) return gemmTransBAccumulateJs(s, q, k, m, d, n);
  kern.gemmTransB(ps, pq, pk, m, d, n);
  if (staged.length > 0) unstage();
}

/** Decode attention scores on one core (see attnScoresJs): out [nHeads × count] += q·keysᵀ per kv head. */
export function attnScoresLocal(out: Float32Array, q: Float32Array, keys: Float32Array, b: number, count: number, nrep: number, kvOff: number, headDim: number): void {
  if (!localKernelClock.enabled) return attnScores(out, q, keys, b, count, nrep, kvOff, headDim);
  const t0 = performance.now();
  attnScores(out, q, keys, b, count, nrep, kvOff, headDim);
  clockFrom(t0);
}

function attnScores(out: Float32Array, q: Float32Array, keys: Float32Array, b: number, count: number, nrep: number, kvOff: number, headDim: number): void {
  const kern = localWasm();
  if (kern === null) return attnScoresJs(out, q, keys, b, count, nrep, kvOff, headDim);
  const po = ptr(out, out.length, true);
  const pq = ptr(q, nrep * b, false);
  const pk = ptr(keys, count * b, false);
  if (stagingFailed()) return attnScoresJs(out, q, keys, b, count, nrep, kvOff, headDim);
  kern.attnScores(po, pq, pk, b, count, nrep, kvOff, headDim);
  if (staged.length > 0) unstage();
}

/** Decode attention values on one core (see attnValuesJs): out [nrep × b] = probs·values per kv unit. */
export function attnValuesLocal(out: Float32Array, probs: Float32Array, values: Float32Array, b: number, count: number, nrep: number, kvOff: number, headDim: number): void {
  if (!localKernelClock.enabled) return attnValues(out, probs, values, b, count, nrep, kvOff, headDim);
  const t0 = performance.now();
  attnValues(out, probs, values, b, count, nrep, kvOff, headDim);
  clockFrom(t0);
}

function attnValues(out: Float32Array, probs: Float32Array, values: Float32Array, b: number, count: number, nrep: number, kvOff: number, headDim: number): void {
  const kern = localWasm();
  if (kern === null) return attnValuesJs(out, probs, values, b, count, nrep, kvOff, headDim);
  const po = ptr(out, nrep * b, true);
  const pp = ptr(probs, probs.length, false);
  const pv = ptr(values, count * b, false);
  if (stagingFailed()) return attnValuesJs(out, probs, values, b, count, nrep, kvOff, headDim);
  kern.attnValues(po, pp, pv, b, count, nrep, kvOff, headDim);
  if (staged.length > 0) unstage();
}

/**
 * Vectors shorter than this are combined by a JavaScript loop: a call into WebAssembly with its operand checks
 * costs 80–90 ns, what the loop takes for about 40 floats (and the WebAssembly add is 10× faster on 1,143 floats).
 */
const ELEMENTWISE_MIN = 48;

/** acc[i] += v[i] for every i of acc (v at least as long), each sum rounded to float32: an allreduce's sum step. */
export function addInto(acc: Float32Array, v: Float32Array): void {
  const n = acc.length;
  const k = n >= ELEMENTWISE_MIN && v.length >= n ? localWasm() : null;
  if (k === null) {
    for (let i = 0; i < n; i++) acc[i] += v[i]; // addIntoJs, written out: most calls are here, on a few floats
    return;
  }
  const pa = ptr(acc, n, true);
  const pv = ptr(v, n, false);
  if (stagingFailed()) return addIntoJs(acc, v);
  k.addInto(pa, pv, n);
  if (staged.length > 0) unstage();
}

/** acc[i] = v[i] where v[i] > acc[i], for every i of acc (v at least as long): an allreduce's max step. */
export function maxInto(acc: Float32Array, v: Float32Array): void {
  const n = acc.length;
  const k = n >= ELEMENTWISE_MIN && v.length >= n ? localWasm() : null;
  if (k === null) {
    for (let i = 0; i < n; i++) if (v[i] > acc[i]) acc[i] = v[i]; // maxIntoJs, written out
    return;
  }
  const pa = ptr(acc, n, true);
  const pv = ptr(v, n, false);
  if (stagingFailed()) return maxIntoJs(acc, v);
  k.maxInto(pa, pv, n);
  if (staged.length > 0) unstage();
}

/** Copies `src` into a named, SRAM-counted buffer of the core (allocated once at `capacity` values). */
export function into(dst: Float32Array, src: Float32Array): Float32Array {
  const view = dst.subarray(0, src.length);
  view.set(src);
  return view;
}
