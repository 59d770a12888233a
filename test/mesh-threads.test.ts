// For a given mesh, generated ids, logits (bit for bit) and every modeled figure are identical for 1–4 threads.
import { describe, expect, it } from 'vitest';
import { generateAll, loadModel, MeshLlama, Sampler, type ForwardEngine } from '@wafer/llama';
import { preset } from './helpers/machines.js';
import { MODELS } from './helpers/golden.js';

async function trace(threads: number, rows: number, cols: number) {
  const model = loadModel(MODELS.bin);
  const mesh = await MeshLlama.create(model, { mesh: { rows, cols }, threads, machine: preset('wse2'), sramUnlimited: true });
  const logits: number[][] = [];
  const engine: ForwardEngine = {
    config: mesh.config,
    forward: async (t, p) => {
      const l = await mesh.forward(t, p);
      logits.push(Array.from(l));
      return l;
    },
  };
  // sampled (not greedy), so every logit matters for the ids
  const r = await generateAll(engine, [1, 403, 407], { maxNewTokens: 24, sampler: new Sampler({ temperature: 0.9, topP: 0.95, topK: 0, seed: 11 }), eosId: 2, bosId: 1, stopOnBos: true });
  const modeled = mesh.steps.map((s) => ({ cycles: s.report.modeledCycles, messages: s.report.messages, words: s.report.words, routes: s.report.maxRoutesPerRouter, sram: s.report.sramPeakBytesPerCore, colors: s.report.colorMessages }));
  const counters = await mesh.fabric.counters();
  await mesh.close();
  return { ids: r.generatedTokens, logits, modeled, clock: Array.from(counters.clock), links: Array.from(counters.linkWords) };
}

describe('mesh engine determinism across thread counts', () => {
  for (const [rows, cols] of [[5, 5], [4, 8]] as const) {
    it(`${rows}x${cols}: T = 1, 2, 3, 4 agree exactly`, async () => {
      const base = await trace(1, rows, cols);
      for (const t of [2, 3, 4]) {
        const other = await trace(t, rows, cols);
        expect(other.ids).toEqual(base.ids);
        expect(other.logits).toEqual(base.logits);
        expect(other.modeled).toEqual(base.modeled);
        expect(other.clock).toEqual(base.clock);
        expect(other.links).toEqual(base.links);
      }
    }, 120_000);
  }
});
