// A seeded sampler is deterministic: the same seed gives the same token sequence, different seeds differ.

import { describe, expect, test } from 'vitest';
import { Sampler, type SamplerOptions } from '../src/generate/index.js';

/** A fixed 64-token distribution with no dominant token, so draws vary. */
const logits = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i * 1.7) * 2);

function draws(options: SamplerOptions, count = 200): number[] {
  const sampler = new Sampler(options);
  return Array.from({ length: count }, () => sampler.sample(logits));
}

describe('seeded sampling', () => {
  for (const base of [
    { temperature: 1, topP: 1, topK: 0 },
    { temperature: 0.8, topP: 0.9, topK: 0 },
    { temperature: 1.2, topP: 0.95, topK: 10 },
  ]) {
    test(`temperature ${base.temperature}, top-p ${base.topP}, top-k ${base.topK}`, () => {
      const first = draws({ ...base, seed: 1234 });
      expect(draws({ ...base, seed: 1234 })).toEqual(first);
      expect(draws({ ...base, seed: 1235 })).not.toEqual(first);
      expect(new Set(first).size).toBeGreaterThan(3);
    });
  }

  // Expected: run.c's softmax, sample_mult / sample_topp and random_f32 compiled in C (gcc -O2) on the same
  // float32 logits, ten draws each.
  test.each([
    [{ temperature: 1, topP: 0.9, seed: 42 }, [34, 31, 31, 46, 30, 20, 1, 45, 38, 5]],
    [{ temperature: 1, topP: 1, seed: 7 }, [52, 59, 5, 5, 23, 25, 53, 9, 23, 49]],
    [{ temperature: 0.8, topP: 0.75, seed: 7 }, [56, 42, 49, 49, 38, 38, 5, 60, 23, 53]],
  ])('%o draws what run.c draws', (options, expected) => {
    expect(draws({ ...options, topK: 0 }, 10)).toEqual(expected);
  });
});
