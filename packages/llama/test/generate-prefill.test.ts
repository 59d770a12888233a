// Engines may offer a batched prefill (the mesh engine will): generate() then hands it the whole prompt once
// and decodes with forward(); the tokens equal the token-by-token run. Promise-returning engines work too.

import { describe, expect, test } from 'vitest';
import { Sampler, generateAll, type ForwardEngine, type GenerateOptions } from '../src/generate/index.js';
import type { LlamaConfig } from '../src/model/types.js';
import { ReferenceLlama } from '../src/reference/index.js';
import { synthShape, synthesize } from '../src/synth/index.js';

const model = synthesize(synthShape('llama-gqa-tiny'), 11);

/** The reference engine behind an async interface with a prefill that loops over forward. */
class PrefillingEngine implements ForwardEngine {
  readonly config: LlamaConfig;
  readonly prefills: number[][] = [];
  readonly forwardPositions: number[] = [];
  private readonly inner = new ReferenceLlama(model);
  constructor() {
    this.config = this.inner.config;
  }
  async prefill(ids: number[]): Promise<Float32Array> {
    this.prefills.push([...ids]);
    let logits: Float32Array = new Float32Array(0);
    ids.forEach((id, pos) => (logits = this.inner.forward(id, pos)));
    return logits;
  }
  async forward(token: number, pos: number): Promise<Float32Array> {
    this.forwardPositions.push(pos);
    return this.inner.forward(token, pos);
  }
}

describe('batched prefill', () => {
  const prompt = [1, 30, 31, 32, 33];
  const options = (): GenerateOptions => ({
    maxNewTokens: 12,
    sampler: new Sampler({ temperature: 0.9, topP: 0.9, topK: 0, seed: 5 }),
    eosId: 2,
    bosId: 1,
    stopOnBos: false,
  });

  test('prefill gets the whole prompt once; forward runs only the decode positions', async () => {
    const engine = new PrefillingEngine();
    const result = await generateAll(engine, prompt, options());
    expect(engine.prefills).toEqual([prompt]);
    expect(engine.forwardPositions).toEqual(Array.from({ length: result.generatedTokens.length - 1 }, (_, i) => prompt.length + i));
    expect(result.timings.promptForwardPasses).toBe(prompt.length);
    expect(result.forwardPasses).toBe(prompt.length + result.generatedTokens.length - 1);
  });

  test('same tokens as the token-by-token reference run', async () => {
    const withPrefill = await generateAll(new PrefillingEngine(), prompt, options());
    const plain = await generateAll(new ReferenceLlama(model), prompt, options());
    expect(withPrefill.generatedTokens).toEqual(plain.generatedTokens);
    expect(plain.generatedTokens).toHaveLength(12);
  });
});
