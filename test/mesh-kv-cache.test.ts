// The shift-based KV cache over 400 generated tokens on 8×8: per-row counts differ by at most one,
// entries stay in sequence order, and every shift moves one hop north (from the fabric's per-colour counters).
import { describe, expect, it } from 'vitest';
import { KV_SHIFT_COLOR, loadModel, MeshLlama } from '@wafer/llama';
import { preset } from './helpers/machines.js';
import { MODELS } from './helpers/golden.js';

describe('shift-based KV cache', () => {
  it('stays balanced and ordered through 400 tokens on 8x8', async () => {
    const model = loadModel(MODELS.bin);
    const R = 8;
    const C = 8;
    const mesh = await MeshLlama.create(model, { mesh: { rows: R, cols: C }, threads: 2, machine: preset('wse2') });
    try {
      let token = 1;
      for (let pos = 0; pos < 400; pos++) {
        const logits = await mesh.forward(token, pos);
        token = logits.indexOf(Math.max(...logits));
        if (token === 1) token = 13; // keep going past BOS: the cache is what is under test
        const report = mesh.steps[pos].report;
        // Shifts: rows below j = pos mod R hand one entry up once the rows below j hold entries.
        const j = pos % R;
        const moves = pos >= R ? (R - 1 - j) * C * model.config.nLayers : 0;
        expect(report.colorMessages[KV_SHIFT_COLOR], `moves at pos ${pos}`).toBe(moves);
        if (moves > 0) expect(report.colorMaxHops[KV_SHIFT_COLOR]).toBe(1);
        if (pos % 40 === 39 || pos === 399) {
          for (let layer = 0; layer < model.config.nLayers; layer += 2) {
            const counts = (await mesh.fabric.gather(`L${layer}.kv.n`)).map((b) => b![0]);
            const positions = await mesh.fabric.gather(`L${layer}.kv.p`);
            for (let x = 0; x < C; x++) {
              const col = Array.from({ length: R }, (_, y) => counts[y * C + x]);
              expect(Math.max(...col) - Math.min(...col)).toBeLessThanOrEqual(1);
              expect(col.reduce((a, c) => a + c, 0)).toBe(pos + 1);
              const seq = Array.from({ length: R }, (_, y) => Array.from(positions[y * C + x]!.subarray(0, col[y]))).flat();
              expect(seq).toEqual(Array.from({ length: pos + 1 }, (_, i) => i));
            }
          }
        }
      }
    } finally {
      await mesh.close();
    }
  }, 300_000);
});
