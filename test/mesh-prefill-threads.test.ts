// The MeshGEMM prefill is deterministic across thread counts: for 1 and 3 threads the logits (bit for bit),
// every run's modeled figures and the decode cache it leaves are identical.
import { describe, expect, it } from 'vitest';
import { generateAll, loadModel, loadTokenizer, MeshLlama, Sampler } from '@wafer/llama';
import { preset } from './helpers/machines.js';
import { MODELS } from './helpers/golden.js';
import { gatherCache, LONG_PROMPT } from './helpers/prefill.js';
import { recording } from './helpers/trace.js';

async function trace(threads: number) {
  const model = loadModel(MODELS.bin);
  const ids = loadTokenizer(model).encode(LONG_PROMPT, { bos: true });
  const mesh = await MeshLlama.create(model, { mesh: { rows: 5, cols: 5 }, threads, machine: preset('wse2'), sramUnlimited: true, prefill: 'meshgemm' });
  try {
    const { engine, logits } = recording(mesh);
    // sampled (not greedy), so every logit matters for the ids
    const r = await generateAll(engine, ids, { maxNewTokens: 8, sampler: new Sampler({ temperature: 0.9, topP: 0.95, topK: 0, seed: 5 }), eosId: 2, bosId: 1, stopOnBos: false });
    const modeled = mesh.steps.map((s) => ({ phase: s.phase, cycles: s.report.modeledCycles, messages: s.report.messages, words: s.report.words, routes: s.report.maxRoutesPerRouter, sram: s.report.sramPeakBytesPerCore, colors: s.report.colorMessages }));
    return { ids: r.generatedTokens, logits, modeled, cache: await gatherCache(mesh) };
  } finally {
    await mesh.close();
  }
}

describe('MeshGEMM prefill determinism across thread counts', () => {
  it('5x5: T = 1 and T = 3 agree exactly', async () => {
    const one = await trace(1);
    const three = await trace(3);
    expect(one.modeled[0].phase).toBe('prefill');
    expect(three.ids).toEqual(one.ids);
    expect(three.logits).toEqual(one.logits);
    expect(three.modeled).toEqual(one.modeled);
    expect(three.cache).toEqual(one.cache);
  }, 120_000);
});
