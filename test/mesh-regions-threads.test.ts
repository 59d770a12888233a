// Through regions, generated ids, logits (bit for bit) and every modeled figure are identical for 1–4 threads.
import { describe, it } from 'vitest';
import { generateAll, loadModel, MeshLlama, Sampler } from '@wafer/llama';
import { preset } from './helpers/machines.js';
import { MODELS } from './helpers/golden.js';
import { expectSameTrace, modeledTrace, recording } from './helpers/trace.js';

async function trace(threads: number) {
  const model = loadModel(MODELS.gguf);
  const mesh = await MeshLlama.create(model, { mesh: { rows: 10, cols: 10 }, region: { rows: 5, cols: 5 }, threads, machine: preset('wse2') });
  const { engine, logits } = recording(mesh);
  const r = await generateAll(engine, [1, 403, 407], { maxNewTokens: 12, sampler: new Sampler({ temperature: 0.9, topP: 0.95, topK: 0, seed: 7 }), eosId: 2, bosId: 1, stopOnBos: true });
  const trace = await modeledTrace(mesh);
  await mesh.close();
  return { ids: r.generatedTokens, logits, ...trace };
}

describe('regions: determinism across thread counts', () => {
  it('10x10 with 5x5 regions: T = 1, 2, 3, 4 agree exactly', async () => {
    const base = await trace(1);
    for (const t of [2, 3, 4]) expectSameTrace(await trace(t), base);
  }, 120_000);
});
