// Plain single-threaded reference versions of the mesh kernels: the test oracles.

/** C[M×N] = A[M×K] · B[K×N], row-major, accumulated in double. */
export function refGemm(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  const c = new Float32Array(m * n);
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    for (let kk = 0; kk < k; kk++) {
      const aik = a[i * k + kk];
      for (let j = 0; j < n; j++) row[j] += aik * b[kk * n + j];
    }
    for (let j = 0; j < n; j++) c[i * n + j] = row[j];
  }
  return c;
}

/** y[N] = x[M] · W[M×N]. */
export function refGemv(x: Float32Array, w: Float32Array, m: number, n: number): Float32Array {
  return refGemm(x, w, 1, m, n);
}

/** S[M×N] = Q[M×D] · K[N×D]ᵀ. */
export function refQkt(q: Float32Array, k: Float32Array, m: number, d: number, n: number): Float32Array {
  const s = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let t = 0; t < d; t++) acc += q[i * d + t] * k[j * d + t];
      s[i * n + j] = acc;
    }
  }
  return s;
}

/** Row shift of an R×C mesh's blocks of n values ([R × C × n], core order): block (x, y) moves to (x+1, y). */
export function refShift(blocks: Float32Array, rows: number, cols: number, n: number): Float32Array {
  const out = new Float32Array(blocks.length);
  for (let y = 0; y < rows; y++) for (let x = 1; x < cols; x++) out.set(blocks.subarray((y * cols + x - 1) * n, (y * cols + x) * n), (y * cols + x) * n);
  return out;
}

/** Element-wise sum or max of equal-length vectors. */
export function refReduce(vectors: Float32Array[], op: 'sum' | 'max'): Float32Array {
  const out = new Float64Array(vectors[0].length).fill(op === 'sum' ? 0 : -Infinity);
  for (const v of vectors) for (let i = 0; i < v.length; i++) out[i] = op === 'sum' ? out[i] + v[i] : Math.max(out[i], v[i]);
  return Float32Array.from(out);
}

/** Largest absolute difference between two arrays of the same length. */
export function maxAbsError(a: Float32Array, b: Float32Array): number {
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]));
  return e;
}
