// The reduction operators of the allreduces: element-wise sum or max, in a fixed order.

export type ReduceOp = 'sum' | 'max';

/** acc ⊕= v, element-wise, in place (no op: sum). */
export function combine(op: ReduceOp | undefined, acc: Float32Array, v: Float32Array): void {
  if (op === 'max') {
    for (let i = 0; i < acc.length; i++) if (v[i] > acc[i]) acc[i] = v[i];
  } else {
    for (let i = 0; i < acc.length; i++) acc[i] += v[i];
  }
}
