// The generation loop rejects a prompt longer than the context (PROMPT_TOO_LONG naming both sizes), an empty
// prompt, out-of-vocabulary ids and a bad -n, all before the first forward pass.

import { describe, expect, test } from 'vitest';
import { Sampler, generateAll, type ForwardEngine } from '../src/generate/index.js';
import type { LlamaConfig } from '../src/model/types.js';
import { synthShape } from '../src/synth/index.js';

class CountingEngine implements ForwardEngine {
  readonly config: LlamaConfig = { ...synthShape('llama-gqa-tiny'), seqLen: 16 };
  passes = 0;
  forward(): Float32Array {
    this.passes++;
    const logits = new Float32Array(this.config.vocabSize);
    logits[7] = 1; // always predicts token 7
    return logits;
  }
}

const run = (engine: ForwardEngine, prompt: number[], maxNewTokens = 10) =>
  generateAll(engine, prompt, { maxNewTokens, sampler: Sampler.greedy(), eosId: 2, bosId: 1, stopOnBos: true });

describe('generation input checks', () => {
  test('17 prompt tokens in a 16-token context → PROMPT_TOO_LONG naming both numbers', async () => {
    const engine = new CountingEngine();
    await expect(run(engine, new Array(17).fill(5))).rejects.toMatchObject({
      code: 'PROMPT_TOO_LONG',
      message: expect.stringMatching(/17 tokens.*context length is 16/),
    });
    expect(engine.passes).toBe(0);
  });

  test('a prompt that exactly fills the context still yields one token', async () => {
    const engine = new CountingEngine();
    const result = await run(engine, new Array(16).fill(5));
    expect(result.generatedTokens).toEqual([7]);
    expect(result.stopDetail).toBe('context-full');
    expect(engine.passes).toBe(16);
  });

  test('an empty prompt, an id outside the vocabulary and a bad -n are rejected', async () => {
    const engine = new CountingEngine();
    await expect(run(engine, [])).rejects.toMatchObject({ code: 'USAGE' });
    await expect(run(engine, [1, 256])).rejects.toMatchObject({ code: 'TOKENIZER_MISMATCH', message: expect.stringContaining('256') });
    await expect(run(engine, [1], -1)).rejects.toMatchObject({ code: 'USAGE', message: expect.stringContaining('-n') });
    await expect(run(engine, [1], 1.5)).rejects.toMatchObject({ code: 'USAGE' });
    expect(engine.passes).toBe(0);
  });
});
