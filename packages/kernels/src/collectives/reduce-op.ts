// The reduction operators of the allreduces: element-wise sum or max, in a fixed order.

import { addInto, maxInto } from '../local.js';

export type ReduceOp = 'sum' | 'max';

/** acc ⊕= v, element-wise, in place (no op: sum). */
export function combine(op: ReduceOp | undefined, acc: Float32Array, v: Float32Array): void {
  if (op === 'max') maxInto(acc, v);
  else addInto(acc, v);
}
