// Separate prefill and decode grids: ids, logits (bit for bit) and every modeled figure, the hand-offs and the
// phase change with its weight reshuffle included, are identical for 1–4 threads.
import { describe, expect, it } from 'vitest';
import { loadModel, MeshLlama, Sampler, generateAll, type ForwardEngine } from '@wafer/llama';
import { preset } from './helpers/machines.js';
import { MODELS } from './helpers/golden.js';

async function trace(threads: number) {
  const model = loadModel(MODELS.bin);
  // 32 KB per core: decode on the whole mesh, prefill on two 4x4 regions; one copy of the weights, moved both ways.
  const mesh = await MeshLlama.create(model, { mesh: { rows: 8, cols: 8 }, decodeRegion: { rows: 8, cols: 8 }, prefillRegion: { rows: 4, cols: 4 }, threads, machine: { ...preset('wse2'), sramBytesPerCore: 32_768 }, weightCopies: 'one' });
  const logits: number[][] = [];
  const engine: ForwardEngine = {
    config: mesh.config,
    prefill: async (ids) => {
      const l = await mesh.prefill(ids);
      logits.push(Array.from(l));
      return l;
    },
    forward: async (t, p) => {
      const l = await mesh.forward(t, p);
      logits.push(Array.from(l));
      return l;
    },
  };
  const prompt = Array.from({ length: 12 }, (_, i) => (i === 0 ? 1 : 3 + ((i * 131) % 500)));
  const ids: number[][] = [];
  for (const seed of [5, 6]) {
    const r = await generateAll(engine, prompt, { maxNewTokens: 2, sampler: new Sampler({ temperature: 0.9, topP: 0.95, topK: 0, seed }), eosId: 2, bosId: 1, stopOnBos: true });
    ids.push(r.generatedTokens);
  }
  const modeled = mesh.steps.map((s) => ({ part: s.part, cycles: s.report.modeledCycles, messages: s.report.messages, words: s.report.words, sram: s.report.sramPeakBytesPerCore }));
  const counters = await mesh.fabric.counters();
  await mesh.close();
  return { ids, logits, modeled, clock: Array.from(counters.clock), links: Array.from(counters.linkWords) };
}

describe('separate grids: determinism across thread counts', () => {
  it('8x8, prefill on two 4x4 regions, one copy of the weights: T = 1, 2, 3, 4 agree exactly', async () => {
    const base = await trace(1);
    expect(base.modeled.map((m) => m.part)).toEqual(expect.arrayContaining(['batch', 'handoff', 'phase-change']));
    expect(base.modeled.filter((m) => m.part === 'phase-change').length).toBe(3); // K/V and weights, back, again
    for (const t of [2, 3, 4]) {
      const other = await trace(t);
      expect(other.ids).toEqual(base.ids);
      expect(other.logits).toEqual(base.logits);
      expect(other.modeled).toEqual(base.modeled);
      expect(other.clock).toEqual(base.clock);
      expect(other.links).toEqual(base.links);
    }
  }, 180_000);
});
