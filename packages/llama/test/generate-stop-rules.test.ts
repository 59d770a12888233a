// The generation loop's stop rules: EOS, BOS (only with stopOnBos), maxNewTokens, and a full context; prompt
// tokens are forced whatever the model predicts; the stop token is never part of the output.

import { describe, expect, test } from 'vitest';
import { Sampler, generate, generateAll, type ForwardEngine, type GenerateOptions } from '../src/generate/index.js';
import type { LlamaConfig } from '../src/model/types.js';
import { synthShape } from '../src/synth/index.js';

const BOS = 1;
const EOS = 2;

/** An engine whose logits after forward(token, pos) are one-hot on predict(pos); it records every call. */
class ScriptedEngine implements ForwardEngine {
  readonly config: LlamaConfig;
  readonly calls: Array<[number, number]> = [];
  constructor(private readonly predict: (pos: number) => number, seqLen = 64) {
    this.config = { ...synthShape('llama-gqa-tiny'), seqLen };
  }
  forward(token: number, pos: number): Float32Array {
    this.calls.push([token, pos]);
    const logits = new Float32Array(this.config.vocabSize);
    logits[this.predict(pos)] = 1;
    return logits;
  }
}

const options = (overrides: Partial<GenerateOptions> = {}): GenerateOptions => ({
  maxNewTokens: 100,
  sampler: Sampler.greedy(),
  eosId: EOS,
  bosId: BOS,
  stopOnBos: true,
  ...overrides,
});

describe('generation stop rules', () => {
  test('EOS stops generation and is not emitted', async () => {
    const engine = new ScriptedEngine((pos) => (pos === 5 ? EOS : 10 + pos));
    const result = await generateAll(engine, [BOS, 40, 41], options());
    expect(result.generatedTokens).toEqual([12, 13, 14]);
    expect([result.stopReason, result.stopDetail]).toEqual(['eos', 'eos']);
    expect(result.forwardPasses).toBe(6);
  });

  test('BOS stops generation only with stopOnBos', async () => {
    const predict = (pos: number): number => (pos === 3 ? BOS : 10 + pos);
    const stopped = await generateAll(new ScriptedEngine(predict), [BOS, 40], options());
    expect(stopped.generatedTokens).toEqual([11, 12]);
    expect([stopped.stopReason, stopped.stopDetail]).toEqual(['eos', 'bos']);

    const continued = await generateAll(new ScriptedEngine(predict), [BOS, 40], options({ stopOnBos: false, maxNewTokens: 4 }));
    expect(continued.generatedTokens).toEqual([11, 12, BOS, 14]);
    expect([continued.stopReason, continued.stopDetail]).toEqual(['length', 'max-new-tokens']);
  });

  test('maxNewTokens counts new tokens only, and the last one is not forwarded', async () => {
    const engine = new ScriptedEngine((pos) => 100 + pos);
    const result = await generateAll(engine, [BOS, 40, 41, 42], options({ maxNewTokens: 3 }));
    expect(result.generatedTokens).toEqual([103, 104, 105]);
    expect([result.stopReason, result.stopDetail]).toEqual(['length', 'max-new-tokens']);
    expect(engine.calls).toEqual([[BOS, 0], [40, 1], [41, 2], [42, 3], [103, 4], [104, 5]]);
  });

  test('a full context stops with length; the token sampled at the last position is still emitted', async () => {
    const engine = new ScriptedEngine((pos) => 100 + pos, 8);
    const result = await generateAll(engine, [BOS, 40, 41], options());
    expect(result.generatedTokens).toEqual([102, 103, 104, 105, 106, 107]);
    expect([result.stopReason, result.stopDetail]).toEqual(['length', 'context-full']);
    expect(engine.calls.map(([, pos]) => pos)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  test('prompt tokens are forced even when the model predicts EOS or BOS there', async () => {
    const engine = new ScriptedEngine((pos) => (pos < 3 ? EOS : pos === 3 ? BOS : 50));
    const result = await generateAll(engine, [BOS, 40, 41, 42], options({ maxNewTokens: 2 }));
    expect(result.generatedTokens).toEqual([]);
    expect(result.stopDetail).toBe('bos');
    expect(engine.calls.map(([token]) => token)).toEqual([BOS, 40, 41, 42]);
  });

  test('token events carry each new token, its index and its position; done comes last', async () => {
    const events = [];
    for await (const event of generate(new ScriptedEngine((pos) => 100 + pos), [BOS, 40], options({ maxNewTokens: 2 }))) events.push(event);
    expect(events.slice(0, 2)).toEqual([
      { type: 'token', id: 101, index: 0, pos: 2 },
      { type: 'token', id: 102, index: 1, pos: 3 },
    ]);
    expect(events[2].type).toBe('done');
    expect(events).toHaveLength(3);
  });

  test('maxNewTokens 0 runs no forward pass', async () => {
    const engine = new ScriptedEngine(() => 5);
    const result = await generateAll(engine, [BOS, 40], options({ maxNewTokens: 0 }));
    expect(result.generatedTokens).toEqual([]);
    expect(result.stopReason).toBe('length');
    expect(engine.calls).toEqual([]);
  });
});
