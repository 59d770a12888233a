// Self-contained F16 and Q8_0 GGUFs of stories260K (weights plus the tok512 vocabulary) load, tokenize with
// their embedded vocabulary, stay close to run.c's float32 logits, and generate valid ids.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ReferenceLlama,
  Sampler,
  argmax,
  generateAll,
  ggufTokenizerData,
  loadModel,
  loadTokenizer,
  readLlama2cTokenizer,
  writeGguf,
} from '@wafer/llama';

const MODELS = fileURLToPath(new URL('../models/stories260K/', import.meta.url));
const logitsGolden: { prompt_tokens: number[]; steps: { pos: number; token: number; logits: number[] }[] } = JSON.parse(
  readFileSync(new URL('./golden/stories260K-logits-full.json', import.meta.url), 'utf8'),
);

/**
 * Largest allowed |logit − run.c's float32 logit| over positions 0–5 (logits there reach |19|).
 * F16 keeps 11 significant bits, a relative rounding of at most 2^-11 ≈ 4.9e-4 per weight; measured worst
 * error 1.1e-2, so 0.03 (≈0.16% of the largest logit). Q8_0 stores each weight as an int8 multiple of its
 * 32-value block's amax/127, so a typical weight (well under amax) carries 1–2% relative error; measured
 * worst 0.21, so 0.5 (≈2.7%). Both stay under half the smallest top-1/top-2 gap there (1.6), so argmax holds.
 */
const TOLERANCE = { F16: 0.03, Q8_0: 0.5 } as const;
const DTYPES = ['F16', 'Q8_0'] as const;

const tmp = mkdtempSync(join(tmpdir(), 'wafer-gguf-quant-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const bin = loadModel(join(MODELS, 'stories260K.bin'));
const vocabulary = ggufTokenizerData(readLlama2cTokenizer(join(MODELS, 'tok512.bin'), 512));
const models = Object.fromEntries(
  DTYPES.map((dtype) => {
    const path = join(tmp, `stories260K-${dtype}.gguf`);
    writeGguf(path, bin, { dtype, tokenizer: vocabulary });
    return [dtype, loadModel(path)];
  }),
) as Record<(typeof DTYPES)[number], ReturnType<typeof loadModel>>;

/** Worst |ours − run.c| over the golden positions, and whether every argmax agrees. */
function logitError(model: ReturnType<typeof loadModel>): { maxAbs: number; argmaxAgrees: boolean } {
  const engine = new ReferenceLlama(model);
  let maxAbs = 0;
  let argmaxAgrees = true;
  for (const step of logitsGolden.steps) {
    const logits = engine.forward(step.token, step.pos);
    for (let i = 0; i < logits.length; i++) maxAbs = Math.max(maxAbs, Math.abs(logits[i] - step.logits[i]));
    argmaxAgrees &&= argmax(logits) === argmax(Float32Array.from(step.logits));
  }
  return { maxAbs, argmaxAgrees };
}

describe('quantised GGUF generation', () => {
  it("embeds exactly the vocabulary llama.cpp's converter wrote into stories260K.gguf", () => {
    const reference = loadModel(join(MODELS, 'stories260K.gguf')).tokenizer;
    if (reference?.kind !== 'gguf') throw new Error('stories260K.gguf has no embedded vocabulary');
    expect(vocabulary.tokens).toEqual(reference.tokens);
    expect(Array.from(vocabulary.scores)).toEqual(Array.from(reference.scores));
    expect(Array.from(vocabulary.tokenTypes)).toEqual(Array.from(reference.tokenTypes!));
  });

  it.each(DTYPES)('%s: matrices are stored quantised, norms stay F32', (dtype) => {
    const tensors = models[dtype].tensors;
    expect(tensors.get('blk.0.attn_q')!.sourceDtype).toBe(dtype);
    expect(tensors.get('token_embd')!.sourceDtype).toBe(dtype);
    expect(tensors.get('blk.0.attn_norm')!.sourceDtype).toBe('F32');
    // ffn_down rows have 172 values, not a multiple of Q8_0's 32-value block, so like llama.cpp they fall back to F16
    expect(tensors.get('blk.0.ffn_down')!.sourceDtype).toBe('F16');
  });

  it('logits at positions 0–5 are within the F16 and Q8_0 tolerances of run.c, F16 closer', () => {
    const f16 = logitError(models.F16);
    const q8 = logitError(models.Q8_0);
    expect(f16.maxAbs).toBeLessThanOrEqual(TOLERANCE.F16);
    expect(q8.maxAbs).toBeLessThanOrEqual(TOLERANCE.Q8_0);
    expect(f16.maxAbs).toBeGreaterThan(0); // the weights really were rounded
    expect(q8.maxAbs).toBeGreaterThan(f16.maxAbs);
    expect(f16.argmaxAgrees && q8.argmaxAgrees).toBe(true);
  });

  it.each(DTYPES)('%s: the embedded tokenizer encodes like tok512.bin and generation gives valid ids', async (dtype) => {
    const model = models[dtype];
    const tokenizer = loadTokenizer(model);
    expect(model.tokenizer?.kind).toBe('gguf');
    expect([model.bosId, model.eosId, model.stopOnBos]).toEqual([1, 2, true]);
    const promptIds = tokenizer.encode('Once upon a time', { bos: true });
    expect(promptIds).toEqual(logitsGolden.prompt_tokens);
    for (const sampler of [Sampler.greedy(), new Sampler({ temperature: 1, topK: 0, topP: 0.9, seed: 42 })]) {
      const result = await generateAll(new ReferenceLlama(model), promptIds, { maxNewTokens: 64, sampler, eosId: model.eosId, bosId: model.bosId, stopOnBos: true });
      expect(result.generatedTokens.length).toBeGreaterThan(0);
      if (result.stopDetail === 'max-new-tokens') expect(result.generatedTokens).toHaveLength(64);
      for (const id of result.generatedTokens) {
        // a valid id, and never a stop token (generation ends before emitting BOS/EOS)
        expect(Number.isInteger(id) && id >= 0 && id < model.config.vocabSize && id !== model.bosId && id !== model.eosId, `id ${id}`).toBe(true);
      }
      expect(tokenizer.decode(result.generatedTokens, promptIds.at(-1)).length).toBeGreaterThan(0);
    }
  });
});
