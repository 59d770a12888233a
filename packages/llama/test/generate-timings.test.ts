// generate() reports prompt time (to the first token) and decode time, and does not count the time the
// consumer spends between events.

import { describe, expect, test } from 'vitest';
import { Sampler, generate, type GenerationResult } from '../src/generate/index.js';
import { ReferenceLlama } from '../src/reference/index.js';
import { synthShape, synthesize } from '../src/synth/index.js';

describe('generation timings', () => {
  test('consumer pauses are excluded; pass counts split at the first token', async () => {
    const engine = new ReferenceLlama(synthesize(synthShape('llama-gqa-tiny'), 3));
    const started = performance.now();
    let result: GenerationResult | undefined;
    for await (const event of generate(engine, [1, 5, 6], { maxNewTokens: 5, sampler: Sampler.greedy(), eosId: 2, bosId: 1, stopOnBos: false })) {
      if (event.type === 'token') await new Promise((resolve) => setTimeout(resolve, 30));
      else result = event.result;
    }
    const wallMs = performance.now() - started;
    expect(result).toBeDefined();
    const { timings } = result!;
    expect(wallMs).toBeGreaterThan(140);
    expect(timings.promptMs + timings.decodeMs).toBeLessThan(100);
    expect(timings.promptMs).toBeGreaterThan(0);
    expect(timings.decodeMs).toBeGreaterThan(0);
    expect(timings.promptForwardPasses).toBe(3);
    expect(timings.decodeForwardPasses).toBe(4);
  });
});
