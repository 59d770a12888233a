// The mesh engine refuses token ids outside the vocabulary and positions outside the context, as the
// reference engine does, instead of computing garbage.
import { describe, expect, it } from 'vitest';
import { loadModel, MeshLlama } from '@wafer/llama';
import { preset } from './helpers/machines.js';
import { MODELS } from './helpers/golden.js';

describe('mesh engine input checks', () => {
  it('rejects bad token ids and positions with a named error', async () => {
    const model = loadModel(MODELS.bin);
    const mesh = await MeshLlama.create(model, { mesh: { rows: 2, cols: 2 }, threads: 1, machine: preset('dev') });
    try {
      for (const token of [512, -1, 1.5]) await expect(mesh.forward(token, 0)).rejects.toMatchObject({ code: 'TOKENIZER_MISMATCH' });
      for (const pos of [512, -1]) await expect(mesh.forward(1, pos)).rejects.toMatchObject({ code: 'PROMPT_TOO_LONG' });
      expect((await mesh.forward(1, 0)).length).toBe(512);
    } finally {
      await mesh.close();
    }
  });
});
