// Separate prefill and decode grids: ids, logits (bit for bit) and every modeled figure, the hand-offs and the
// phase change with its weight reshuffle included, are identical for 1–4 threads.
import { describe, expect, it } from 'vitest';
import { loadModel, MeshLlama, Sampler, generateAll } from '@wafer/llama';
import { preset } from './helpers/machines.js';
import { MODELS } from './helpers/golden.js';
import { expectSameTrace, modeledTrace, recording } from './helpers/trace.js';

async function trace(threads: number) {
  const model = loadModel(MODELS.bin);
  // 32 KB per core: decode on the whole mesh, prefill on two 4x4 regions; one copy of the weights, moved both ways.
  const mesh = await MeshLlama.create(model, { mesh: { rows: 8, cols: 8 }, decodeRegion: { rows: 8, cols: 8 }, prefillRegion: { rows: 4, cols: 4 }, threads, machine: { ...preset('wse2'), sramBytesPerCore: 32_768 }, weightCopies: 'one' });
  const { engine, logits } = recording(mesh);
  const prompt = Array.from({ length: 12 }, (_, i) => (i === 0 ? 1 : 3 + ((i * 131) % 500)));
  const ids: number[][] = [];
  for (const seed of [5, 6]) {
    const r = await generateAll(engine, prompt, { maxNewTokens: 2, sampler: new Sampler({ temperature: 0.9, topP: 0.95, topK: 0, seed }), eosId: 2, bosId: 1, stopOnBos: true });
    ids.push(r.generatedTokens);
  }
  const trace = await modeledTrace(mesh);
  await mesh.close();
  return { ids, logits, ...trace };
}

describe('separate grids: determinism across thread counts', () => {
  it('8x8, prefill on two 4x4 regions, one copy of the weights: T = 1, 2, 3, 4 agree exactly', async () => {
    const base = await trace(1);
    expect(base.modeled.map((m) => m.part)).toEqual(expect.arrayContaining(['batch', 'handoff', 'phase-change']));
    expect(base.modeled.filter((m) => m.part === 'phase-change').length).toBe(3); // K/V and weights, back, again
    for (const t of [2, 3, 4]) expectSameTrace(await trace(t), base);
  }, 180_000);
});
