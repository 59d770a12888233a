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
    // 40 KB per core: two 5x5 decode regions, and no room for both layouts: one copy moves each phase.
    { name: '10x10 (40 KB): prefill on the whole mesh, decode on two 5x5 regions, one copy of the weights', mesh: 10, sram: 40_960, opts: { prefillRegion: { rows: 10, cols: 10 }, decodeRegion: { rows: 5, cols: 5 } }, handoffs: false, moves: true, prompts: 2 },
    // 28 KB per core: two 4x8 decode regions and two 4x4 prefill regions, both layouts kept.
    { name: '8x8 (28 KB): decode on two 4x8 regions, prefill on two 4x4 regions', mesh: 8, sram: 28_672, opts: { region: { rows: 4, cols: 8 }, prefillRegion: { rows: 4, cols: 4 } }, handoffs: true, moves: false, prompts: 1 },
  ];
  for (const k of cases) {
    it(k.name, async () => {
      const model = loadModel(MODELS.bin);
      const tokenizer = loadTokenizer(model);
      const mesh = await MeshLlama.create(model, { mesh: { rows: k.mesh, cols: k.mesh }, ...k.opts, threads: 2, machine: { ...preset('wse2'), sramBytesPerCore: k.sram }, prefill: 'meshgemm' });
      try {
        expect(mesh.grid).toBeDefined();
        expect(mesh.regions!.rects).toHaveLength(2);
        expect(mesh.grid!.copies).toBe(k.moves ? 'one' : 'both');
        for (const c of GOLDEN.filter((g) => g.n === 64 && g.prompt !== '').slice(0, k.prompts)) {
          const ids = tokenizer.encode(c.prompt, { bos: true });
          const before = mesh.steps.length;
          const r = await generateAll(mesh, ids, { maxNewTokens: newTokens(c), sampler: Sampler.greedy(), eosId: model.eosId, bosId: model.bosId, stopOnBos: true });
          expect(r.generatedTokens, `${JSON.stringify(c.prompt)} n=${c.n}`).toEqual(c.generated_tokens);
          const parts = mesh.steps.slice(before).map((s) => s.part);
          expect(parts).toContain('batch');
          expect(parts).toContain('phase-change');
          if (k.handoffs) expect(parts).toContain('handoff');
        }
        // Keys and values (and with one copy the weights, both ways) crossed the fabric, one hop at a time.
        const change = mesh.steps.filter((s) => s.part === 'phase-change');
        expect(change.length).toBe(k.moves ? 2 * k.prompts - 1 : k.prompts); // with one copy: to decode, then back and to decode again per prompt
        expect(change.every((s) => s.report.messages > 0 && s.report.maxHopsPerTransfer === 1)).toBe(true);
        expect(mesh.sramPeakBytesPerCore).toBeLessThanOrEqual(k.sram);
      } finally {
        await mesh.close();
      }
    }, 120_000);
  }
});
