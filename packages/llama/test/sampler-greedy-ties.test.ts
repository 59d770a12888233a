// Greedy sampling (temperature 0) is run.c's argmax: the first maximum wins, so ties go to the lowest id.

import { describe, expect, test } from 'vitest';
import { Sampler, argmax } from '../src/generate/index.js';

describe('greedy sampling', () => {
  test('ties go to the lowest id', () => {
    const sampler = Sampler.greedy();
    expect(sampler.sample(new Float32Array([0.5, 2, -1, 2, 2]))).toBe(1);
    expect(sampler.sample(new Float32Array([7, 7]))).toBe(0);
    expect(argmax(new Float32Array([-3, -1, -1, -2]))).toBe(1);
  });

  test('the last id can win, and the logits are left untouched', () => {
    const logits = new Float32Array([-5, -4, -3, 10]);
    const sampler = new Sampler({ temperature: 0, topP: 0.9, topK: 40, seed: 3 });
    expect(sampler.sample(logits)).toBe(3);
    expect(Array.from(logits)).toEqual([-5, -4, -3, 10]);
  });
});
