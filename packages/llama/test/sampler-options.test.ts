// Sampler options are validated at construction with usage errors naming the command-line flag.

import { describe, expect, test } from 'vitest';
import { Sampler, type SamplerOptions } from '../src/generate/index.js';

const good: SamplerOptions = { temperature: 1, topP: 0.9, topK: 0, seed: 1 };

describe('sampler option validation', () => {
  test.each([
    [{ temperature: -0.1 }, '--temp'],
    [{ temperature: Number.NaN }, '--temp'],
    [{ temperature: Number.POSITIVE_INFINITY }, '--temp'],
    [{ topP: 0 }, '--top-p'],
    [{ topP: 1.01 }, '--top-p'],
    [{ topP: Number.NaN }, '--top-p'],
    [{ topK: -1 }, '--top-k'],
    [{ topK: 2.5 }, '--top-k'],
    [{ seed: 0 }, '--seed'],
    [{ seed: -3 }, '--seed'],
    [{ seed: 1.5 }, '--seed'],
    [{ seed: 2 ** 60 }, '--seed'],
  ])('%o → usage error naming %s', (bad, flag) => {
    expect(() => new Sampler({ ...good, ...bad })).toThrow(expect.objectContaining({ code: 'USAGE', message: expect.stringContaining(flag) }));
  });

  test('boundary values are accepted', () => {
    for (const options of [{ temperature: 0 }, { topP: 1 }, { topP: 1e-9 }, { topK: 0 }, { topK: 1_000_000 }, { seed: Number.MAX_SAFE_INTEGER }]) {
      expect(() => new Sampler({ ...good, ...options })).not.toThrow();
    }
  });
});
