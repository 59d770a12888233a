// Llama 3.x RoPE scaling means the same thing as a Hugging Face directory (rope_scaling of type llama3) and as
// a GGUF (rope_freqs.weight, one divisor per rotary pair, written by our writer as llama.cpp's converter does):
// equal frequencies to a float32 ulp and logits within 1e-5 at every position, on the reference engine and
// (the GGUF) on the mesh.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MeshLlama, ReferenceLlama, loadModel, ropeFrequencies, synthShape, synthesize, writeGguf, writeHfDirectory, type ModelDescription,
} from '@wafer/llama';
import { preset } from './helpers/machines.js';

const tmp = mkdtempSync(join(tmpdir(), 'wafer-llama3-rope-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * llama-gqa-tiny (theta 500000, Llama 3.2 scaling: of its 4 pairs one is blended and one divided by 32) with
 * q and k weights ×30, so attention is sharp and a change of rotation shows in the logits (with normal(0, 0.02)
 * weights every softmax is nearly uniform and RoPE hardly matters).
 */
const source = synthesize(synthShape('llama-gqa-tiny'), 5);
for (const [name, tensor] of source.tensors) if (/attn_[qk]$/.test(name)) tensor.data.forEach((v, i, a) => (a[i] = v * 30));
const hfDir = join(tmp, 'hf');
writeHfDirectory(hfDir, source, { shards: 1, dtype: 'F32' });
const ggufPath = join(tmp, 'tiny.gguf');
writeGguf(ggufPath, source, { dtype: 'F32' });
const hf = loadModel(hfDir);
const gguf = loadModel(ggufPath);
const TOKENS = Array.from({ length: hf.config.seqLen }, (_, i) => (i * 37 + 11) % hf.config.vocabSize);

function referenceLogits(model: ModelDescription): Float32Array[] {
  const engine = new ReferenceLlama(model);
  return TOKENS.map((token, pos) => Float32Array.from(engine.forward(token, pos)));
}

function maxDifference(a: Float32Array[], b: Float32Array[]): number {
  let max = 0;
  for (let p = 0; p < Math.min(a.length, b.length); p++) for (let i = 0; i < a[p].length; i++) max = Math.max(max, Math.abs(a[p][i] - b[p][i]));
  return max;
}

const fromHf = referenceLogits(hf);

describe('Llama 3 RoPE: Hugging Face rope_scaling and GGUF rope_freqs', () => {
  it('the HF directory carries rope_scaling, the GGUF rope_freqs.weight, and their frequencies agree to a float32 ulp', () => {
    expect(hf.config.ropeScaling?.type).toBe('llama3');
    expect(gguf.config.ropeScaling).toBeUndefined();
    expect(gguf.load!.fileTensors[0]).toEqual({ name: 'rope_freqs.weight', dtype: 'F32' });
    const factors = Array.from(gguf.config.ropeFreqFactors!);
    expect(factors[0]).toBe(1);
    expect(factors[1]).toBe(1);
    expect(factors[2]).toBeCloseTo(3.29, 2); // the blended pair
    expect(factors[3]).toBe(32);
    const a = ropeFrequencies(hf.config);
    const b = ropeFrequencies(gguf.config);
    a.forEach((f, p) => expect(Math.abs(f - b[p]) / f, `pair ${p}`).toBeLessThanOrEqual(2 ** -23));
  });

  it('logits agree within 1e-5 at all 64 positions on the reference engine, and without rope_freqs they would not', () => {
    expect(maxDifference(referenceLogits(gguf), fromHf)).toBeLessThanOrEqual(1e-5);
    const unscaled = { ...gguf, config: { ...gguf.config, ropeFreqFactors: undefined } };
    expect(maxDifference(referenceLogits(unscaled), fromHf)).toBeGreaterThan(1e-2);
  });

  it('a GGUF written again keeps its rope_freqs; a Hugging Face config cannot hold them (UNSUPPORTED)', () => {
    const again = join(tmp, 'again.gguf');
    writeGguf(again, gguf, { dtype: 'F32' });
    expect(Array.from(loadModel(again).config.ropeFreqFactors!)).toEqual(Array.from(gguf.config.ropeFreqFactors!));
    expect(() => writeHfDirectory(join(tmp, 'hf-again'), gguf, { shards: 1, dtype: 'F32' })).toThrow(/rope_freqs\) have no config\.json form/);
  });

  it('the mesh engine applies rope_freqs: the GGUF on a 2x2 mesh matches the HF reference within 1e-4', async () => {
    const mesh = await MeshLlama.create(gguf, { mesh: { rows: 2, cols: 2 }, threads: 1, machine: preset('dev') });
    try {
      const logits: Float32Array[] = [];
      for (let pos = 0; pos < 24; pos++) logits.push(Float32Array.from(await mesh.forward(TOKENS[pos], pos)));
      expect(maxDifference(logits, fromHf)).toBeLessThan(1e-4);
    } finally {
      await mesh.close();
    }
  });
});
