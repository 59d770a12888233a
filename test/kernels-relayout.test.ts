// Relayout moves a matrix between blockings (rows along Y or X, on other cores) exactly, with every message one
// hop, and with modeled cycles and messages identical for 1 and 4 threads (the grid tests cover 1–4).
import { describe, expect, it } from 'vitest';
import { Fabric } from '@wafer/fabric';
import { runRelayout, type GridBlocking } from '@wafer/kernels';
import { preset } from './helpers/machines.js';
import { seededUniform } from './helpers/random.js';

const spec = preset('wse2');
const cases: [string, GridBlocking, GridBlocking][] = [
  ['whole mesh, rows along Y to rows along X', { x0: 0, y0: 0, rows: 6, cols: 6, rowsAlong: 'y' }, { x0: 0, y0: 0, rows: 6, cols: 6, rowsAlong: 'x' }],
  ['6x6 to the 3x3 in a corner', { x0: 0, y0: 0, rows: 6, cols: 6, rowsAlong: 'y' }, { x0: 3, y0: 3, rows: 3, cols: 3, rowsAlong: 'x' }],
  ['a 3x2 region to the region east of it', { x0: 0, y0: 1, rows: 3, cols: 2, rowsAlong: 'y' }, { x0: 2, y0: 1, rows: 3, cols: 2, rowsAlong: 'y' }],
];

describe('relayout', () => {
  for (const [name, src, dst] of cases) {
    it(name, async () => {
      const [m, n] = [23, 17];
      const mat = seededUniform(9, m * n);
      let first: { cycles: number; messages: number } | undefined;
      for (const threads of [1, 4]) {
        const f = await Fabric.start({ machine: spec, mesh: { rows: 6, cols: 6 }, threads });
        try {
          const { out, report } = await runRelayout(f, mat, m, n, src, dst);
          expect(out).toEqual(mat);
          expect(report.maxHopsPerTransfer).toBeLessThanOrEqual(1);
          const got = { cycles: report.modeledCycles, messages: report.messages };
          if (first === undefined) first = got;
          else expect(got).toEqual(first);
        } finally {
          await f.close();
        }
      }
    }, 60_000);
  }
});
