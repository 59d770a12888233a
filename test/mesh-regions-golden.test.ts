// Layers on regions (--region): greedy generation reproduces llama2.c's reference cases exactly while the
// residual hops from region to region. The .gguf's 2,048-token cache needs three 5×5 regions of a 10×10 wse2
// mesh (east, then south hand-offs); the .bin on an 8×8 mesh of 4×8 regions with 24 KB of SRAM per core needs two
// (a south hand-off).
import { describe, expect, it } from 'vitest';
import { generateAll, loadModel, loadTokenizer, MeshLlama, Sampler } from '@wafer/llama';
import { preset } from './helpers/machines.js';
import { GOLDEN, MODELS, newTokens } from './helpers/golden.js';

const HANDOFF_COLORS = [15, 16, 17]; // handoff.ts: across, along the row, down

describe('greedy generation through regions', () => {
  const cases = [
    { format: 'gguf', mesh: 10, region: { rows: 5, cols: 5 }, sram: 49_152, regions: 3 },
    { format: 'bin', mesh: 8, region: { rows: 4, cols: 8 }, sram: 24_576, regions: 2 },
  ] as const;
  for (const k of cases) {
    it(`${k.format} on ${k.mesh}x${k.mesh} with ${k.region.rows}x${k.region.cols} regions: the 64-token cases`, async () => {
      const model = loadModel(MODELS[k.format]);
      const tokenizer = loadTokenizer(model);
      const machine = { ...preset('wse2'), sramBytesPerCore: k.sram };
      const mesh = await MeshLlama.create(model, { mesh: { rows: k.mesh, cols: k.mesh }, region: k.region, threads: 3, machine });
      try {
        expect(mesh.regions!.rects).toHaveLength(k.regions);
        expect(mesh.regions!.blocks.reduce((a, b) => a + b.layers, 0)).toBe(model.config.nLayers);
        for (const c of GOLDEN.filter((g) => g.n === 64)) {
          const ids = tokenizer.encode(c.prompt, { bos: true });
          const r = await generateAll(mesh, ids, { maxNewTokens: newTokens(c), sampler: Sampler.greedy(), eosId: model.eosId, bosId: model.bosId, stopOnBos: true });
          expect(r.generatedTokens, `${JSON.stringify(c.prompt)} n=${c.n}`).toEqual(c.generated_tokens);
        }
        const step = mesh.steps[mesh.steps.length - 1].report;
        // Every hand-off is a real message: one per row for each region boundary crossed (two legs going south).
        expect(HANDOFF_COLORS.reduce((a, c) => a + step.colorMessages[c], 0)).toBeGreaterThanOrEqual((k.regions - 1) * k.region.rows);
        expect(step.sramPeakBytesPerCore).toBeLessThanOrEqual(k.sram);
      } finally {
        await mesh.close();
      }
    }, 120_000);
  }
});
