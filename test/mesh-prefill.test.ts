// The MeshGEMM prefill on P×P meshes: the logits it returns match the reference engine's at the last prompt
// position, and after the phase change the decode cache holds what token-by-token decode leaves: the same
// positions on the same cores, keys and values within 1e-5 (relative to max(1, |value|)).
import { describe, expect, it } from 'vitest';
import { loadModel, loadTokenizer, MeshLlama, ReferenceLlama } from '@wafer/llama';
import { preset } from './helpers/machines.js';
import { GOLDEN, MODELS } from './helpers/golden.js';
import { cacheError, gatherCache, LONG_PROMPT } from './helpers/prefill.js';

describe('MeshGEMM prefill against the reference and token-by-token decode', () => {
  const model = loadModel(MODELS.bin);
  const tokenizer = loadTokenizer(model);
  const prompts = [...new Set(GOLDEN.map((c) => c.prompt)), LONG_PROMPT].map((p) => tokenizer.encode(p, { bos: true }));

  it('the long prompt has 40+ tokens and the golden prompts include the one-token case', () => {
    expect(prompts[prompts.length - 1].length).toBeGreaterThanOrEqual(40);
    expect(prompts.some((ids) => ids.length === 1)).toBe(true);
  });

  for (const P of [2, 3, 4, 5, 8]) {
    it(`${P}x${P}: logits within 1e-4 of the reference, cache equal to token-by-token decode`, async () => {
      const opts = { mesh: { rows: P, cols: P }, threads: Math.min(3, P * P), machine: preset('dev') };
      const prefilled = await MeshLlama.create(model, { ...opts, prefill: 'meshgemm' });
      const stepped = await MeshLlama.create(model, { ...opts, prefill: 'decode' });
      try {
        for (const ids of prompts) {
          const T = ids.length;
          const ref = new ReferenceLlama(model);
          let expected = new Float32Array(0);
          for (let pos = 0; pos < T; pos++) expected = ref.forward(ids[pos], pos);
          const logits = await prefilled.prefill(ids);
          expect(prefilled.lastPrefill).toBe('meshgemm');
          let err = 0;
          for (let i = 0; i < logits.length; i++) err = Math.max(err, Math.abs(logits[i] - expected[i]));
          expect(err, `T = ${T}`).toBeLessThan(1e-4);
          if (T === 1) continue; // nothing to prefill: the decode program alone gave the logits

          // The phase change alone (positions 0..T-2) against T-1 decode steps.
          await prefilled.prefillCache(ids.slice(0, T - 1));
          for (let pos = 0; pos < T - 1; pos++) await stepped.forward(ids[pos], pos);
          const a = await gatherCache(prefilled);
          const b = await gatherCache(stepped);
          a.forEach((layer, l) =>
            layer.forEach((core, i) => {
              expect(core.n, `layer ${l} core ${i}`).toBe(b[l][i].n);
              expect(core.positions, `layer ${l} core ${i}`).toEqual(b[l][i].positions);
            }),
          );
          expect(cacheError(a, b), `T = ${T}`).toBeLessThan(1e-5);
        }
      } finally {
        await prefilled.close();
        await stepped.close();
      }
    }, 300_000);
  }
});
