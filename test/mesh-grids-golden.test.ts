// Separate prefill and decode grids: the MeshGEMM prefill runs on its own P×P regions, hands its activation from
// region to region, and the phase change relayouts keys, values and (with one copy) the weights into the decode
// regions over the fabric; the next prompt moves the weights back first. Greedy generation stays exactly
// llama2.c's, through every prompt of the reference cases in a row.
import { describe, expect, it } from 'vitest';
import { generateAll, loadModel, loadTokenizer, MeshLlama, Sampler } from '@wafer/llama';
import { preset } from './helpers/machines.js';
import { GOLDEN, MODELS, newTokens } from './helpers/golden.js';

describe('greedy generation with separate prefill and decode grids', () => {
  const cases = [
    { name: '10x10: prefill on the whole mesh, decode on 5x5 regions', mesh: 10, opts: { prefillRegion: { rows: 10, cols: 10 }, decodeRegion: { rows: 5, cols: 5 } }, handoffs: false },
    { name: '8x8: decode on a 4x8 region, prefill on 4x4 regions', mesh: 8, opts: { region: { rows: 4, cols: 8 }, prefillRegion: { rows: 4, cols: 4 } }, handoffs: true },
  ];
  for (const k of cases) {
    it(k.name, async () => {
      const model = loadModel(MODELS.bin);
      const tokenizer = loadTokenizer(model);
      const mesh = await MeshLlama.create(model, { mesh: { rows: k.mesh, cols: k.mesh }, ...k.opts, threads: 3, machine: preset('wse2'), prefill: 'meshgemm' });
      try {
        expect(mesh.grid).toBeDefined();
        for (const c of GOLDEN.filter((g) => g.n === 64 && g.prompt !== '')) {
          const ids = tokenizer.encode(c.prompt, { bos: true });
          const before = mesh.steps.length;
          const r = await generateAll(mesh, ids, { maxNewTokens: newTokens(c), sampler: Sampler.greedy(), eosId: model.eosId, bosId: model.bosId, stopOnBos: true });
          expect(r.generatedTokens, `${JSON.stringify(c.prompt)} n=${c.n}`).toEqual(c.generated_tokens);
          const parts = mesh.steps.slice(before).map((s) => s.part);
          expect(parts).toContain('batch');
          expect(parts).toContain('phase-change');
          if (k.handoffs) expect(parts).toContain('handoff');
        }
        // Keys and values (and, once a prompt no longer fits beside both copies, the weights) crossed the fabric.
        const change = mesh.steps.filter((s) => s.part === 'phase-change');
        expect(change.every((s) => s.report.messages > 0 && s.report.maxHopsPerTransfer === 1)).toBe(true);
        expect(mesh.sramPeakBytesPerCore).toBeLessThanOrEqual(49_152);
      } finally {
        await mesh.close();
      }
    }, 120_000);
  }
});
