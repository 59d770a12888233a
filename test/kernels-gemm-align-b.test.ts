// MeshGEMM and Cannon with B aligned on chip (B placed unskewed, as a matrix produced on the mesh is):
// the result matches the reference GEMM and is bit-identical to the host-skewed placement's, on ragged
// shapes whose K or N leave some cores empty.
import { afterAll, describe, expect, it } from 'vitest';
import { Fabric } from '@wafer/fabric';
import { maxAbsError, refGemm, runGemm } from '@wafer/kernels';
import { preset } from './helpers/machines.js';
import { seededUniform } from './helpers/random.js';

const fabrics: Fabric[] = [];
afterAll(async () => {
  for (const f of fabrics) await f.close();
});

describe('Cannon-family GEMM with on-chip B alignment', () => {
  for (const P of [1, 2, 3, 4, 5, 7, 8]) {
    it(`P = ${P}: equals the reference and the host-skewed run`, async () => {
      const f = await Fabric.start({ machine: preset('wse2'), mesh: { rows: P, cols: P }, threads: Math.min(3, P * P), sramUnlimited: true });
      fabrics.push(f);
      for (const [m, k, n] of [[37, 53, 29], [6, 5, 3], [2, 2, 8]]) {
        const a = seededUniform(7 * P, m * k);
        const b = seededUniform(7 * P + 1, k * n);
        const ref = refGemm(a, b, m, k, n);
        for (const algo of ['meshgemm', 'cannon'] as const) {
          const skewed = await runGemm(f, algo, a, b, m, k, n);
          const aligned = await runGemm(f, algo, a, b, m, k, n, { alignB: true });
          expect(maxAbsError(aligned.out, ref), `${algo} ${m}×${k}×${n}`).toBeLessThan(4e-7 * Math.sqrt(k) * 8);
          expect(Array.from(aligned.out)).toEqual(Array.from(skewed.out));
          if (algo === 'meshgemm') expect(aligned.report.maxHopsPerTransfer).toBeLessThanOrEqual(2);
        }
      }
    });
  }
});
