// Top-k and top-p restrict which tokens can be drawn, and within the kept set the draw follows the
// (renormalised) probabilities. Statistical but deterministic: every sampler is seeded.

import { describe, expect, test } from 'vitest';
import { Sampler, type SamplerOptions } from '../src/generate/index.js';

/** Logits whose softmax is exactly `probs` (log probabilities). */
const fromProbs = (probs: number[]): Float32Array => Float32Array.from(probs, Math.log);

function histogram(logits: Float32Array, options: Omit<SamplerOptions, 'seed'>, draws = 4000): number[] {
  const sampler = new Sampler({ ...options, seed: 2024 });
  const counts = new Array<number>(logits.length).fill(0);
  for (let i = 0; i < draws; i++) counts[sampler.sample(logits)]++;
  return counts;
}

describe('sampling support', () => {
  // ranks: id 3 (0.4), id 0 (0.25), id 5 (0.15), id 1 (0.1), id 4 (0.06), id 2 (0.04)
  const logits = fromProbs([0.25, 0.1, 0.04, 0.4, 0.06, 0.15]);

  test('no restriction: every token appears, in proportion to its probability', () => {
    const counts = histogram(logits, { temperature: 1, topP: 1, topK: 0 });
    const expected = [0.25, 0.1, 0.04, 0.4, 0.06, 0.15];
    counts.forEach((count, id) => expect(Math.abs(count / 4000 - expected[id]), `id ${id}`).toBeLessThan(0.03));
  });

  test('top-k 3 draws only ids 3, 0, 5, renormalised', () => {
    const counts = histogram(logits, { temperature: 1, topP: 1, topK: 3 });
    expect([counts[1], counts[2], counts[4]]).toEqual([0, 0, 0]);
    const expected = [0.25 / 0.8, 0, 0, 0.4 / 0.8, 0, 0.15 / 0.8];
    counts.forEach((count, id) => expect(Math.abs(count / 4000 - expected[id]), `id ${id}`).toBeLessThan(0.03));
  });

  test('top-p 0.6 keeps the shortest prefix with mass over 0.6: ids 3 and 0', () => {
    const counts = histogram(logits, { temperature: 1, topP: 0.6, topK: 0 });
    expect([counts[1], counts[2], counts[4], counts[5]]).toEqual([0, 0, 0, 0]);
    expect(Math.abs(counts[3] / 4000 - 0.4 / 0.65)).toBeLessThan(0.03);
  });

  test('top-k 4 then top-p 0.9 (of the renormalised mass 0.9): ids 3, 0, 5, 1 minus the tail', () => {
    // renormalised: 3 → 0.444, 0 → 0.278, 5 → 0.167 (cumulative 0.889), 1 → 0.111 (cumulative 1.0 > 0.9)
    const counts = histogram(logits, { temperature: 1, topP: 0.9, topK: 4 });
    expect([counts[2], counts[4]]).toEqual([0, 0]);
    expect(counts[1]).toBeGreaterThan(0);
  });

  test('top-k 1 is greedy whatever the temperature', () => {
    const counts = histogram(logits, { temperature: 5, topP: 1, topK: 1 }, 500);
    expect(counts[3]).toBe(500);
  });

  test('a tiny top-p keeps only the most probable token', () => {
    const counts = histogram(logits, { temperature: 1, topP: 0.01, topK: 0 }, 500);
    expect(counts[3]).toBe(500);
  });

  test('a uniform distribution with top-p below 1/n still draws the (lowest-id) top token', () => {
    const counts = histogram(new Float32Array(8), { temperature: 1, topP: 0.05, topK: 0 }, 200);
    expect(counts[0]).toBe(200);
  });
});
