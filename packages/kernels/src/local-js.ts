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

/**
 * Decode attention scores on one core: out[(g·nrep + r)·count + t] += q[r·b + jl] · keys[t·b + jl] over its b
 * kv units jl, g = ⌊(kvOff + jl) / headDim⌋ the unit's kv head (GQA: nrep query heads per kv head). out [nHeads ×
 * count] accumulates in float32; q [nrep × b]; keys [count × b].
 */
export function attnScoresJs(out: Float32Array, q: Float32Array, keys: Float32Array, b: number, count: number, nrep: number, kvOff: number, headDim: number): void {
  for (let t = 0; t < count; t++) {
    for (let jl = 0; jl < b; jl++) {
      const g = Math.floor((kvOff + jl) / headDim);
      const kv = keys[t * b + jl];
      for (let r = 0; r < nrep; r++) out[(g * nrep + r) * count + t] += q[r * b + jl] * kv;
    }
  }
}

/**
 * Decode attention values on one core: out[r·b + jl] = Σ_t probs[(g·nrep + r)·count + t] · values[t·b + jl], the
 * sum in double (t ascending), rounded to float32 once. out [nrep × b]; probs [nHeads × count]; values [count × b].
 */
export function attnValuesJs(out: Float32Array, probs: Float32Array, values: Float32Array, b: number, count: number, nrep: number, kvOff: number, headDim: number): void {
  for (let jl = 0; jl < b; jl++) {
    const g = Math.floor((kvOff + jl) / headDim);
    for (let r = 0; r < nrep; r++) {
      const h = g * nrep + r;
      let a = 0;
      for (let t = 0; t < count; t++) a += probs[h * count + t] * values[t * b + jl];
      out[r * b + jl] = a;
    }
  }
}

/** acc[i] += v[i] for every i of acc, each sum rounded to float32 on its store. */
export function addIntoJs(acc: Float32Array, v: Float32Array): void {
  for (let i = 0; i < acc.length; i++) acc[i] += v[i];
}

/** acc[i] = v[i] where v[i] > acc[i], for every i of acc. */
export function maxIntoJs(acc: Float32Array, v: Float32Array): void {
  for (let i = 0; i < acc.length; i++) if (v[i] > acc[i]) acc[i] = v[i];
}
