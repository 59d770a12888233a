// Every mesh kernel against its plain reference, on square and ragged shapes and many mesh sizes.
import { afterAll, describe, expect, it } from 'vitest';
import { Fabric } from '@wafer/fabric';
import { maxAbsError, refGemm, refGemv, refQkt, refReduce, runAllreduce, runGemm, runGemv, runQkt } from '@wafer/kernels';
import { preset } from './helpers/machines.js';
import { seededUniform } from './helpers/random.js';

const machine = preset('wse2');
const fabrics: Fabric[] = [];
async function mesh(rows: number, cols = rows): Promise<Fabric> {
  const f = await Fabric.start({ machine, mesh: { rows, cols }, threads: Math.min(3, rows * cols), sramUnlimited: true });
  fabrics.push(f);
  return f;
}
afterAll(async () => {
  for (const f of fabrics) await f.close();
});

/** Float32 accumulation in a different order than the double-precision reference: a few ulps per term. */
function tolerance(k: number): number {
  return 4e-7 * Math.sqrt(k) * 8;
}

describe('GEMM kernels match the reference', () => {
  for (const P of [1, 2, 3, 4, 5, 7, 8, 16]) {
    it(`P = ${P}: MeshGEMM, Cannon, SUMMA on 37×53×29 and 64×64×64`, async () => {
      const f = await mesh(P);
      for (const [m, k, n] of [[37, 53, 29], [64, 64, 64]]) {
        const a = seededUniform(P, m * k);
        const b = seededUniform(P + 100, k * n);
        const ref = refGemm(a, b, m, k, n);
        for (const algo of ['meshgemm', 'cannon', 'summa'] as const) {
          const { out, report } = await runGemm(f, algo, a, b, m, k, n);
          expect(maxAbsError(out, ref), `${algo} ${m}×${k}×${n}`).toBeLessThan(tolerance(k));
          if (algo === 'meshgemm') expect(report.maxHopsPerTransfer).toBeLessThanOrEqual(2);
          if (algo === 'cannon' && P > 2) expect(report.maxHopsPerTransfer).toBe(P - 1);
        }
      }
    });
  }

  it('transpose-free Q·Kᵀ on 5×5 and 8×8 with ragged shapes', async () => {
    for (const P of [5, 8]) {
      const f = await mesh(P);
      const [m, d, n] = [23, 16, 41];
      const q = seededUniform(3, m * d);
      const k = seededUniform(4, n * d);
      const { out } = await runQkt(f, q, k, m, d, n);
      expect(maxAbsError(out, refQkt(q, k, m, d, n))).toBeLessThan(tolerance(d));
    }
  });
});

describe('GEMV and allreduce match the reference', () => {
  for (const [rows, cols] of [[1, 1], [4, 4], [3, 7], [8, 5], [16, 16]] as const) {
    it(`${rows}×${cols}: MeshGEMV (K-tree), pipeline and ring, reducing along y and x`, async () => {
      const f = await mesh(rows, cols);
      const [m, n] = [75, 61];
      const x = seededUniform(5, m);
      const w = seededUniform(6, m * n);
      const ref = refGemv(x, w, m, n);
      for (const strategy of ['ktree', 'pipeline', 'ring'] as const) {
        for (const axis of ['y', 'x'] as const) {
          const { out } = await runGemv(f, x, w, m, n, { axis, strategy });
          expect(maxAbsError(out, ref), `${strategy} ${axis}`).toBeLessThan(tolerance(m));
        }
      }
    });
  }

  it('allreduce sum and max, vectors and scalars, every strategy, custom K-tree groups', async () => {
    const f = await mesh(6, 9);
    const vectors = Array.from({ length: 54 }, (_, i) => seededUniform(10 + i, 13));
    const scalars = vectors.map((v) => v.subarray(0, 1).slice());
    for (const op of ['sum', 'max'] as const) {
      for (const strategy of ['ktree', 'pipeline', 'ring'] as const) {
        for (const groups of strategy === 'ktree' ? [1, 2, 3, 9] : [undefined]) {
          for (const input of [vectors, scalars]) {
            const { results } = await runAllreduce(f, input, { axis: 'x', strategy, op, groups });
            for (let y = 0; y < 6; y++) {
              const expected = refReduce(input.slice(y * 9, y * 9 + 9), op);
              for (let x = 0; x < 9; x++) expect(maxAbsError(results[y * 9 + x], expected)).toBeLessThan(1e-6);
            }
          }
        }
      }
    }
  });
});
