// The calibration target: every cell of the WaferLLM decode table (wafer-notes §5: WSE-2, batch 1, 4K
// context, paper convention) within 10%, in tokens/s and in cycles per layer.
import { describe, expect, it } from 'vitest';
import { decodeStep, modelShape } from '../src/index.js';
import { preset } from './presets.js';

const spec = preset('wse2');
const grids = [420, 540, 660];
// [tokens/s, cycles per layer] at 420², 540², 660², as published.
const table: Record<string, [number, number][]> = {
  'llama3-8b': [[2699.9, 12732], [2501.5, 13742], [2243.3, 15323]],
  'llama2-13b': [[2039.2, 13486], [1899.4, 14478], [1739.8, 15806]],
  'codellama-34b': [[1450.8, 15796], [1407.7, 16280], [1359.2, 16860]],
  'qwen2-72b': [[839.7, 16375], [824.3, 16681], [787.1, 17469]],
};

describe('decode reproduces the paper table on wse2', () => {
  for (const [model, cells] of Object.entries(table)) {
    grids.forEach((p, i) => {
      it(`${model} at ${p}x${p}`, () => {
        const r = decodeStep(spec, modelShape(model), { mesh: p, context: 4096, convention: 'paper' });
        const [tokensPerSecond, cyclesPerLayer] = cells[i];
        expect(Math.abs(r.tokensPerSecond / tokensPerSecond - 1)).toBeLessThan(0.1);
        expect(Math.abs(r.layer.totalCycles / cyclesPerLayer - 1)).toBeLessThan(0.1);
        expect(r.totalCycles).toBe(r.layer.totalCycles * modelShape(model).nLayers); // one layer × count
      });
    });
  }
});
