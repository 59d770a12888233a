// Greedy generation after the MeshGEMM prefill reproduces every llama2.c reference case (ids and text) on
// 4×4 and 8×8 from the .bin; on 8×8 wse2 within the real SRAM and route budgets.
import { describe, expect, it } from 'vitest';
import { generateAll, loadModel, loadTokenizer, MeshLlama, Sampler } from '@wafer/llama';
import { preset } from './helpers/machines.js';
import { GOLDEN, MODELS, newTokens } from './helpers/golden.js';

describe('greedy generation after the MeshGEMM prefill', () => {
  for (const [P, machine] of [[4, 'dev'], [8, 'wse2']] as const) {
    it(`${P}x${P} ${machine}: all 8 greedy cases`, async () => {
      const model = loadModel(MODELS.bin);
      const tokenizer = loadTokenizer(model);
      const mesh = await MeshLlama.create(model, { mesh: { rows: P, cols: P }, threads: 3, machine: preset(machine), prefill: 'meshgemm' });
      try {
        for (const c of GOLDEN) {
          const ids = tokenizer.encode(c.prompt, { bos: true });
          const before = mesh.steps.length;
          const r = await generateAll(mesh, ids, { maxNewTokens: newTokens(c), sampler: Sampler.greedy(), eosId: model.eosId, bosId: model.bosId, stopOnBos: true });
          expect(r.generatedTokens, `${JSON.stringify(c.prompt)} n=${c.n}`).toEqual(c.generated_tokens);
          expect(c.prompt + tokenizer.decode(r.generatedTokens, ids[ids.length - 1])).toBe(c.stdout.replace(/\n$/, ''));
          // One batched run and the last prompt token's decode step (one step alone for a one-token prompt).
          const phases = mesh.steps.slice(before).map((s) => s.phase);
          const prefillRuns = ids.length > 1 ? 2 : 1;
          expect(phases.slice(0, prefillRuns).every((p) => p === 'prefill')).toBe(true);
          expect(phases.slice(prefillRuns).every((p) => p === 'decode')).toBe(true);
        }
      } finally {
        await mesh.close();
      }
    }, 300_000);
  }
});
