// For a given mesh, generated ids, logits (bit for bit) and every modeled figure are identical for 1–4 threads.
import { describe, it } from 'vitest';
import { generateAll, loadModel, MeshLlama, Sampler } from '@wafer/llama';
import { preset } from './helpers/machines.js';
import { MODELS } from './helpers/golden.js';
import { expectSameTrace, modeledTrace, recording } from './helpers/trace.js';

async function trace(threads: number, rows: number, cols: number) {
  const model = loadModel(MODELS.bin);
  const mesh = await MeshLlama.create(model, { mesh: { rows, cols }, threads, machine: preset('wse2'), sramUnlimited: true });
  const { engine, logits } = recording(mesh);
  // token by token (no batched prefill), sampled (not greedy), so every logit matters for the ids
  const r = await generateAll({ config: engine.config, forward: engine.forward }, [1, 403, 407], { maxNewTokens: 24, sampler: new Sampler({ temperature: 0.9, topP: 0.95, topK: 0, seed: 11 }), eosId: 2, bosId: 1, stopOnBos: true });
  const trace = await modeledTrace(mesh);
  await mesh.close();
  return { ids: r.generatedTokens, logits, ...trace };
}

describe('mesh engine determinism across thread counts', () => {
  for (const [rows, cols] of [[5, 5], [4, 8]] as const) {
    it(`${rows}x${cols}: T = 1, 2, 3, 4 agree exactly`, async () => {
      const base = await trace(1, rows, cols);
      for (const t of [2, 3, 4]) expectSameTrace(await trace(t, rows, cols), base);
    }, 120_000);
  }
});
