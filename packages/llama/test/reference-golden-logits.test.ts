// The reference forward pass reproduces run.c's full 512 logits at positions 0–5 of "Once upon a time"
// (stories260K.bin) within 1e-4, and its first-8 logits and argmax at positions 0–7 of every greedy case.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { loadModel } from '../src/checkpoint/index.js';
import { ReferenceLlama } from '../src/reference/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const full = JSON.parse(readFileSync(`${root}test/golden/stories260K-logits-full.json`, 'utf8'));
const greedy = JSON.parse(readFileSync(`${root}test/golden/stories260K-greedy.json`, 'utf8'));
const TOLERANCE = 1e-4;

function maxAbsDiff(actual: Float32Array, expected: number[]): number {
  expect(actual.length).toBeGreaterThanOrEqual(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  return worst;
}

const engine = new ReferenceLlama(await loadModel(`${root}models/stories260K/stories260K.bin`));

describe('reference forward pass vs run.c logits (stories260K.bin)', () => {
  test('all 512 logits at positions 0-5', () => {
    expect(full.prompt_tokens).toEqual([1, 403, 407, 261, 378]);
    engine.reset();
    for (const step of full.steps as Array<{ pos: number; token: number; logits: number[] }>) {
      const logits = engine.forward(step.token, step.pos);
      expect(logits.length).toBe(512);
      expect(maxAbsDiff(logits, step.logits), `pos ${step.pos}`).toBeLessThan(TOLERANCE);
    }
  });

  type Step = { pos: number; token: number; argmax: number; max_logit: number; first8: number[] };
  type GoldenCase = { prompt: string; n: number; logits_first_steps: Step[] };
  const cases = (greedy.cases as GoldenCase[]).map((c): [string, number, GoldenCase] => [JSON.stringify(c.prompt), c.n, c]);
  test.each(cases)('logits_first_steps of prompt %s, n %i', (_, __, c) => {
    engine.reset();
    for (const step of c.logits_first_steps) {
      const logits = engine.forward(step.token, step.pos);
      expect(maxAbsDiff(logits, step.first8), `pos ${step.pos}`).toBeLessThan(TOLERANCE);
      let best = 0;
      for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
      expect(best).toBe(step.argmax);
      expect(Math.abs(logits[best] - step.max_logit)).toBeLessThan(TOLERANCE);
    }
  });
});
