// RoPE frequencies: 1/theta^(2p/headDim) per pair, and Llama 3 apply_scaling (factor 32, low 1, high 4,
// original context 8192, as in Llama 3.2). Expected values: Meta's formula evaluated in float64 NumPy.

import { describe, expect, test } from 'vitest';
import { ropeFrequencies } from '../src/reference/index.js';
import { synthShape } from '../src/synth/index.js';

function expectClose(actual: Float32Array, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((value, p) => expect(Math.abs(actual[p] - value) / value, `pair ${p}`).toBeLessThan(1e-6));
}

describe('RoPE frequencies', () => {
  test('head size 8, theta 500000, without scaling', () => {
    const config = { ...synthShape('llama-gqa-tiny'), ropeScaling: undefined };
    expectClose(ropeFrequencies(config), [1.0, 0.0376060309, 0.00141421356, 5.3182959e-5]);
  });

  test('head size 8 with Llama 3 scaling: one pair blended, the lowest divided by 32', () => {
    expectClose(ropeFrequencies(synthShape('llama-gqa-tiny')), [1.0, 0.0376060309, 0.000429556797, 1.66196747e-6]);
  });

  test('head size 64 (Llama 3.2 1B) with Llama 3 scaling', () => {
    const expected = [
      1.0, 0.663601238, 0.440366603, 0.292227823, 0.193922745, 0.128687373, 0.0853971003, 0.0566696214, 0.0376060309,
      0.0249554087, 0.0165604401, 0.0109895285, 0.00729266474, 0.00483942135, 0.00321144599, 0.00129054793,
      0.000429556797, 9.7082878e-5, 1.94616382e-5, 1.29147672e-5, 8.57025549e-6, 5.68723215e-6, 3.77405429e-6,
      2.5044671e-6, 1.66196747e-6, 1.10288367e-6, 7.31874968e-7, 4.85673134e-7, 3.22293293e-7, 2.13874228e-7,
      1.41927203e-7, 9.41830673e-8,
    ];
    expectClose(ropeFrequencies(synthShape('llama-3.2-1b-like')), expected);
  });

  test('theta 10000, head size 8 (stories260K): run.c powf frequencies', () => {
    expectClose(ropeFrequencies(synthShape('stories260K')), [1, 0.1, 0.01, 0.001]);
  });
});
