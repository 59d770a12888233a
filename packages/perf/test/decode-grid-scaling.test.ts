// Decode gets slower on bigger grids (allreduce latency grows with P while GEMV tiles shrink), for every
// model of the table, and the K-tree allreduces are most of a layer.
import { describe, expect, it } from 'vitest';
import { decodeLayer, modelShape } from '../src/index.js';
import { preset } from './presets.js';

const spec = preset('wse2');

describe('decode per layer grows with the grid', () => {
  for (const model of ['llama3-8b', 'llama2-13b', 'codellama-34b', 'qwen2-72b']) {
    it(model, () => {
      const cycles = [360, 420, 540, 660, 720].map((p) => decodeLayer(spec, modelShape(model), { mesh: p, context: 4096, convention: 'paper' }));
      for (let i = 1; i < cycles.length; i++) expect(cycles[i].totalCycles).toBeGreaterThan(cycles[i - 1].totalCycles);
      for (const c of cycles) expect(c.allreduceCycles).toBeGreaterThan(c.computeCycles);
    });
  }
});
