// The mesh engine reproduces every llama2.c reference case exactly (ids and text) on meshes 1×1 to 8×8,
// from the .bin and the .gguf, with every step's logits within 1e-4 of the reference engine.
import { describe, expect, it } from 'vitest';
import { generateAll, loadModel, loadTokenizer, MeshLlama, ReferenceLlama, Sampler, type ForwardEngine } from '@wafer/llama';
import { preset } from './helpers/machines.js';
import { GOLDEN, MODELS, newTokens } from './helpers/golden.js';

/** Runs the mesh engine and the reference side by side, recording the largest logit difference. */
class Compared implements ForwardEngine {
  maxError = 0;
  constructor(readonly mesh: MeshLlama, readonly ref: ReferenceLlama) {}
  get config() {
    return this.mesh.config;
  }
  async forward(token: number, pos: number): Promise<Float32Array> {
    const a = await this.mesh.forward(token, pos);
    const b = this.ref.forward(token, pos);
    for (let i = 0; i < a.length; i++) this.maxError = Math.max(this.maxError, Math.abs(a[i] - b[i]));
    return a;
  }
}

describe('mesh engine against llama2.c', () => {
  for (const format of ['bin', 'gguf'] as const) {
    for (const P of [1, 2, 3, 4, 5, 8]) {
      it(`${format} on ${P}x${P}: all 8 greedy cases`, async () => {
        const model = loadModel(MODELS[format]);
        const tokenizer = loadTokenizer(model);
        const threads = Math.min(3, P * P); // uneven tiles on 5×5 and 8×8
        const mesh = await MeshLlama.create(model, { mesh: { rows: P, cols: P }, threads, machine: preset('dev') });
        try {
          const engine = new Compared(mesh, new ReferenceLlama(model));
          for (const c of GOLDEN) {
            const ids = tokenizer.encode(c.prompt, { bos: true });
            expect(ids).toEqual(c.prompt_tokens);
            const r = await generateAll(engine, ids, { maxNewTokens: newTokens(c), sampler: Sampler.greedy(), eosId: model.eosId, bosId: model.bosId, stopOnBos: true });
            expect(r.generatedTokens, `${JSON.stringify(c.prompt)} n=${c.n}`).toEqual(c.generated_tokens);
            expect(c.prompt + tokenizer.decode(r.generatedTokens, ids[ids.length - 1])).toBe(c.stdout.replace(/\n$/, ''));
          }
          expect(engine.maxError).toBeLessThan(1e-4);
        } finally {
          await mesh.close();
        }
      }, 300_000);
    }
  }
});
