// The WebAssembly SIMD local kernels give the same float32 bits as the JavaScript oracle, on random shapes
// (ragged, single rows and columns, empty blocks), with operands in the thread's local heap and outside it.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { localHeap } from '@wafer/arch';
import { addInto, addIntoJs, attnScoresJs, attnScoresLocal, attnValuesJs, attnValuesLocal, gemmAccumulate, gemmAccumulateJs, gemmTransBAccumulate, gemmTransBAccumulateJs, gemvLocal, gemvLocalJs, localKernelsBackend, maxInto, maxIntoJs } from '@wafer/kernels';

let seed = 20261128;
function rand(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
}

/** Random values of mixed magnitude (so float32 rounding of every partial sum matters), in the heap or not. */
function vec(n: number, inHeap: boolean): Float32Array {
  const v = inHeap ? localHeap()!.alloc(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = (rand() - 0.5) * 2 ** Math.floor(rand() * 12 - 6);
  return v;
}

const bits = (v: Float32Array) => Array.from(new Uint32Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength)));

const SIZES = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 127];
const pick = () => SIZES[Math.floor(rand() * SIZES.length)];

/** Runs a fixture in a worker thread with WAFER_LOCAL_HEAP_MIB set, and returns the message it posts. */
async function inWorker(fixture: string, heapMiB: string): Promise<Record<string, unknown>> {
  const worker = new Worker(new URL(`./fixtures/${fixture}`, import.meta.url), { env: { ...process.env, WAFER_LOCAL_HEAP_MIB: heapMiB } });
  try {
    return await new Promise<Record<string, unknown>>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`${fixture} exited (${code}) without a message`)));
    });
  } finally {
    await worker.terminate();
  }
}

describe('WebAssembly local kernels match the JavaScript oracle bit for bit', () => {
  it('runs WebAssembly on this machine (otherwise the comparisons below would compare JS with itself)', () => {
    expect(localKernelsBackend()).toBe('wasm');
  });

  it('gemv: y = x·W on 300 random shapes', () => {
    for (let trial = 0; trial < 300; trial++) {
      const m = pick();
      const n = pick();
      const inHeap = trial % 3 !== 0;
      const x = vec(m, inHeap);
      const w = vec(m * n, inHeap);
      const yWasm = vec(n, inHeap);
      const yJs = new Float32Array(n);
      gemvLocal(yWasm, x, w, m, n);
      gemvLocalJs(yJs, x, w, m, n);
      expect(bits(yWasm), `m=${m} n=${n}`).toEqual(bits(yJs));
    }
  });

  it('gemm: C += A·B on 200 random shapes, accumulating into a non-zero C', () => {
    for (let trial = 0; trial < 200; trial++) {
      const [m, k, n] = [pick(), pick(), pick()];
      const inHeap = trial % 3 !== 0;
      const a = vec(m * k, inHeap);
      const b = vec(k * n, inHeap);
      const cWasm = vec(m * n, inHeap);
      const cJs = cWasm.slice();
      gemmAccumulate(cWasm, a, b, m, k, n);
      gemmAccumulateJs(cJs, a, b, m, k, n);
      expect(bits(cWasm), `m=${m} k=${k} n=${n}`).toEqual(bits(cJs));
    }
  });

  it('gemmTransB: S += Q·Kᵀ on 200 random shapes', () => {
    for (let trial = 0; trial < 200; trial++) {
      const [m, d, n] = [pick(), pick(), pick()];
      const inHeap = trial % 3 !== 0;
      const q = vec(m * d, inHeap);
      const k = vec(n * d, inHeap);
      const sWasm = vec(m * n, inHeap);
      const sJs = sWasm.slice();
      gemmTransBAccumulate(sWasm, q, k, m, d, n);
      gemmTransBAccumulateJs(sJs, q, k, m, d, n);
      expect(bits(sWasm), `m=${m} d=${d} n=${n}`).toEqual(bits(sJs));
    }
  });

  it('decode attention scores and values on 200 random GQA shapes (units spanning kv heads, empty caches)', () => {
    for (let trial = 0; trial < 200; trial++) {
      const headDim = [2, 4, 8, 16][Math.floor(rand() * 4)];
      const nKv = 1 + Math.floor(rand() * 4);
      const nrep = 1 + Math.floor(rand() * 3);
      const kvOff = 2 * Math.floor((rand() * nKv * headDim) / 2);
      const b = Math.min(nKv * headDim - kvOff, 2 * (1 + Math.floor(rand() * 6)));
      const count = pick();
      const capacity = count + Math.floor(rand() * 3);
      const inHeap = trial % 3 !== 0;
      const q = vec(nrep * b, inHeap);
      const keys = vec(capacity * b, inHeap);
      const sWasm = vec(nKv * nrep * count, inHeap);
      const sJs = sWasm.slice();
      attnScoresLocal(sWasm, q, keys, b, count, nrep, kvOff, headDim);
      attnScoresJs(sJs, q, keys, b, count, nrep, kvOff, headDim);
      expect(bits(sWasm), `scores b=${b} count=${count} nrep=${nrep} kvOff=${kvOff} headDim=${headDim}`).toEqual(bits(sJs));
      const probs = vec(nKv * nrep * count, inHeap);
      const values = vec(capacity * b, inHeap);
      const oWasm = vec(nrep * b, inHeap);
      const oJs = new Float32Array(nrep * b);
      attnValuesLocal(oWasm, probs, values, b, count, nrep, kvOff, headDim);
      attnValuesJs(oJs, probs, values, b, count, nrep, kvOff, headDim);
      expect(bits(oWasm), `values b=${b} count=${count}`).toEqual(bits(oJs));
    }
  });

  it('addInto and maxInto (an allreduce step) on 300 random lengths, with NaN, infinities and signed zeros', () => {
    const special = [Number.NaN, Infinity, -Infinity, 0, -0, 1e-45, 3.4e38];
    for (let trial = 0; trial < 300; trial++) {
      // Lengths on both sides of the WebAssembly threshold (48), ragged against SIMD's four lanes.
      const n = [0, 1, 3, 4, 5, 47, 48, 49, 50, 63, 64, 65, 131, 1143][trial % 14];
      const inHeap = trial % 3 !== 0;
      const acc = vec(n, inHeap);
      const v = vec(n + (Math.floor(trial / 14) % 2), inHeap); // v may be longer: only acc's length counts
      for (let i = 0; i < n; i++) {
        if (rand() < 0.1) acc[i] = special[Math.floor(rand() * special.length)];
        if (rand() < 0.1) v[i] = special[Math.floor(rand() * special.length)];
        if (rand() < 0.05) v[i] = acc[i] === 0 ? (Object.is(acc[i], 0) ? -0 : 0) : acc[i]; // ties, and -0 against +0
      }
      for (const [wasm, js] of [[addInto, addIntoJs], [maxInto, maxIntoJs]] as const) {
        const a = inHeap ? localHeap()!.alloc(n) : new Float32Array(n); // in the heap, as an allreduce's vectors are
        a.set(acc);
        const b = acc.slice();
        wasm(a, v);
        js(b, v);
        // NaN payloads aside (a NaN result is a NaN either way), the bits agree.
        const canon = (x: Float32Array) => bits(x).map((u, i) => (Number.isNaN(x[i]) ? 0x7fc00000 : u));
        expect(canon(a), `${wasm.name} n=${n}`).toEqual(canon(b));
      }
    }
  });

  it('with a full heap, operands that cannot be staged run in JavaScript, with the same results', async () => {
    const r = await inWorker('full-heap.mjs', '1');
    // 1 MiB from offset 16, after one block of 256 bytes: 63 blocks of 16 KiB, 15 of 1 KiB, 11 of 64 bytes, 3 of 16.
    expect(r).toEqual({ backend: 'wasm', blocks: 92, usedBytes: 1024 * 1024, fallbacksAfterFill: 4, stillFull: true, gemv: true, gemm: true, gemmTransB: true, attnScores: true, attnValues: true, addInto: true, maxInto: true, mixed: true });
  });

  it('WAFER_LOCAL_HEAP_MIB bounds the heap, and anything but a whole number of MiB up to 4096 is refused by name', async () => {
    expect(await inWorker('heap-bound.mjs', '2')).toEqual({ bytes: 1024 * 1024, grown: 2 * 1024 * 1024, refusedBeyond: true });
    for (const bad of ['0', '1.5', 'lots', '4097']) {
      expect(await inWorker('heap-bound.mjs', bad)).toEqual({ code: 'USAGE', message: `WAFER_LOCAL_HEAP_MIB must be a whole number of MiB from 1 to 4096, got '${bad}'` });
    }
  });

  it('operands that are views into larger blocks (subarrays) are addressed in place', () => {
    const heap = localHeap()!;
    const big = heap.alloc(1000);
    for (let i = 0; i < big.length; i++) big[i] = rand() - 0.5;
    const x = big.subarray(3, 3 + 10);
    const w = big.subarray(101, 101 + 10 * 13);
    const y = heap.alloc(13);
    const yJs = new Float32Array(13);
    gemvLocal(y, x, w, 10, 13);
    gemvLocalJs(yJs, x, w, 10, 13);
    expect(bits(y)).toEqual(bits(yJs));
    expect(heap.owns(x)).toBe(true);
  });
});
