// The float32 building blocks of the reference forward pass, mirroring llama2.c run.c's rmsnorm/softmax/matmul.
// Numerics: dot products accumulate in a JS double and are rounded to float32 once when stored. run.c sums in
// float; on stories260K the double sum puts every logit within 1.7e-5 of run.c's (a float32 sum in run.c's
// order: 1.2e-5) and is faster. RMSNorm and softmax follow run.c's float32 operation order with Math.fround.

const f32 = Math.fround;

/**
 * RMSNorm as run.c: ss accumulated in float32, then ss = 1 / sqrtf(ss / size + eps), o[j] = w[j] * (ss * x[j]).
 * `o` may alias `x`. `eps32` must already be a float32 value (Math.fround of the config's normEps).
 */
export function rmsnorm(o: Float32Array, x: Float32Array, weight: Float32Array, size: number, eps32: number): void {
  let ss = 0; // float32
  for (let j = 0; j < size; j++) ss = f32(ss + f32(x[j] * x[j]));
  ss = f32(ss / size);
  ss = f32(ss + eps32);
  ss = f32(1 / f32(Math.sqrt(ss)));
  for (let j = 0; j < size; j++) o[j] = weight[j] * f32(ss * x[j]);
}

/**
 * In-place softmax over x[offset .. offset+size), float32 like run.c: subtract the max, expf, float32 sum, divide.
 */
export function softmax(x: Float32Array, offset: number, size: number): void {
  const end = offset + size;
  let max = x[offset];
  for (let i = offset + 1; i < end; i++) if (x[i] > max) max = x[i];
  let sum = 0; // float32
  for (let i = offset; i < end; i++) {
    const e = f32(Math.exp(f32(x[i] - max)));
    x[i] = e;
    sum = f32(sum + e);
  }
  for (let i = offset; i < end; i++) x[i] = x[i] / sum;
}

/**
 * xout[d] = W[d, n] @ x[n], W row-major (run.c's matmul). Four rows share each load of x[j]; each row's sum is
 * still the plain left-to-right sum, in a double, so the result equals the one-row-at-a-time loop exactly.
 */
export function matmul(xout: Float32Array, x: Float32Array, w: Float32Array, n: number, d: number): void {
  let i = 0;
  for (; i + 4 <= d; i += 4) {
    const o0 = i * n;
    const o1 = o0 + n;
    const o2 = o1 + n;
    const o3 = o2 + n;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let j = 0; j < n; j++) {
      const xj = x[j];
      s0 += w[o0 + j] * xj;
      s1 += w[o1 + j] * xj;
      s2 += w[o2 + j] * xj;
      s3 += w[o3 + j] * xj;
    }
    xout[i] = s0;
    xout[i + 1] = s1;
    xout[i + 2] = s2;
    xout[i + 3] = s3;
  }
  for (; i < d; i++) {
    const o = i * n;
    let s = 0;
    for (let j = 0; j < n; j++) s += w[o + j] * x[j];
    xout[i] = s;
  }
}
