// The per-core numerical kernels in plain JavaScript (loops over Float32Array, fixed summation order): the
// oracle the WebAssembly versions (wasm/local.wat) must match bit for bit, and the fallback where WebAssembly
// is unavailable. Their modeled cost is charged by the caller from @wafer/arch's local-costs.

/** C[m×n] += A[m×k] · B[k×n], all row-major. Accumulates in C (float32), k ascending. */
export function gemmAccumulateJs(c: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number): void {
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    for (let kk = 0; kk < k; kk++) {
      const aik = a[i * k + kk];
      const bk = kk * n;
      for (let j = 0; j < n; j++) c[ci + j] += aik * b[bk + j];
    }
  }
}

/** S[m×n] += Q[m×d] · K[n×d]ᵀ (rows of K are keys): dot products in double, added to S in float32. */
export function gemmTransBAccumulateJs(s: Float32Array, q: Float32Array, k: Float32Array, m: number, d: number, n: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let t = 0; t < d; t++) acc += q[i * d + t] * k[j * d + t];
      s[i * n + j] += acc;
    }
  }
}

let gemvScratch = new Float64Array(256); // reused accumulator: cores of one thread run one at a time

/** y[n] = x[m] · W[m×n] (W row-major): y_j = Σ_i x_i W_ij, accumulated in double, i ascending. */
export function gemvLocalJs(y: Float32Array, x: Float32Array, w: Float32Array, m: number, n: number): void {
  if (gemvScratch.length < n) gemvScratch = new Float64Array(n);
  const acc = gemvScratch;
  acc.fill(0, 0, n);
  for (let i = 0; i < m; i++) {
    const xi = x[i];
    const row = i * n;
    for (let j = 0; j < n; j++) acc[j] += xi * w[row + j];
  }
  for (let j = 0; j < n; j++) y[j] = acc[j];
}
