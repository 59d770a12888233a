// Through regions, generated ids, logits (bit for bit) and every modeled figure are identical for 1–4 threads.
import { describe, expect, it } from 'vitest';
import { generateAll, loadModel, MeshLlama, Sampler, type ForwardEngine } from '@wafer/llama';
import { preset } from './helpers/machines.js';
import { MODELS } from './helpers/golden.js';

async function trace(threads: number) {
  const model = loadModel(MODELS.gguf);
  const mesh = await MeshLlama.create(model, { mesh: { rows: 10, cols: 10 }, region: { rows: 5, cols: 5 }, threads, machine: preset('wse2') });
  const logits: number[][] = [];
  const engine: ForwardEngine = {
    config: mesh.config,
    forward: async (t, p) => {
      const l = await mesh.forward(t, p);
      logits.push(Array.from(l));
      return l;
    },
  };
  const r = await generateAll(engine, [1, 403, 407], { maxNewTokens: 12, sampler: new Sampler({ temperature: 0.9, topP: 0.95, topK: 0, seed: 7 }), eosId: 2, bosId: 1, stopOnBos: true });
  const modeled = mesh.steps.map((s) => ({ cycles: s.report.modeledCycles, messages: s.report.messages, words: s.report.words, routes: s.report.maxRoutesPerRouter, sram: s.report.sramPeakBytesPerCore, colors: s.report.colorMessages }));
  const counters = await mesh.fabric.counters();
  await mesh.close();
  return { ids: r.generatedTokens, logits, modeled, clock: Array.from(counters.clock), links: Array.from(counters.linkWords) };
}

describe('regions: determinism across thread counts', () => {
  it('10x10 with 5x5 regions: T = 1, 2, 3, 4 agree exactly', async () => {
    const base = await trace(1);
    for (const t of [2, 3, 4]) {
      const other = await trace(t);
      expect(other.ids).toEqual(base.ids);
      expect(other.logits).toEqual(base.logits);
      expect(other.modeled).toEqual(base.modeled);
      expect(other.clock).toEqual(base.clock);
      expect(other.links).toEqual(base.links);
    }
  }, 120_000);
});
