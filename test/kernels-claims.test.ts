// The paper's claims, as the emulator's modeled cycles on the wse2 preset reproduce them
// (README "Kernels" explains where and why the margins differ from the paper's hardware figures).
import { beforeAll, describe, expect, it } from 'vitest';
import { Fabric } from '@wafer/fabric';
import { runGemm, runGemv } from '@wafer/kernels';
import { preset } from './helpers/machines.js';
import { seededUniform } from './helpers/random.js';

const machine = preset('wse2');

async function gemmCycles(P: number, m: number, k: number, n: number): Promise<Record<'meshgemm' | 'cannon' | 'summa', number>> {
  const fabric = await Fabric.start({ machine, mesh: { rows: P, cols: P }, threads: 2, sramUnlimited: true });
  const a = seededUniform(1, m * k);
  const b = seededUniform(2, k * n);
  const out = { meshgemm: 0, cannon: 0, summa: 0 };
  for (const algo of ['meshgemm', 'cannon', 'summa'] as const) out[algo] = (await runGemm(fabric, algo, a, b, m, k, n)).report.modeledCycles;
  await fabric.close();
  return out;
}

async function gemvCycles(P: number, m: number, n: number, strategy: 'ktree' | 'pipeline' | 'ring'): Promise<number> {
  const fabric = await Fabric.start({ machine, mesh: { rows: P, cols: P }, threads: 2, sramUnlimited: true });
  const { report } = await runGemv(fabric, seededUniform(3, m), seededUniform(4, m * n), m, n, { axis: 'y', strategy });
  await fabric.close();
  return report.modeledCycles;
}

describe('MeshGEMM against Cannon and SUMMA (256×256×256)', () => {
  const cycles = new Map<number, Record<'meshgemm' | 'cannon' | 'summa', number>>();
  beforeAll(async () => {
    for (const P of [8, 16, 32, 64]) cycles.set(P, await gemmCycles(P, 256, 256, 256));
  }, 300_000);

  it('MeshGEMM is faster than Cannon and SUMMA at every P >= 8', () => {
    for (const [P, c] of cycles) {
      expect(c.meshgemm, `P=${P} vs Cannon`).toBeLessThan(c.cannon);
      expect(c.meshgemm, `P=${P} vs SUMMA`).toBeLessThan(c.summa);
    }
  });

  it('from P = 8 to 64 Cannon and SUMMA lose ground to MeshGEMM', () => {
    const r = (P: number, algo: 'cannon' | 'summa') => cycles.get(P)![algo] / cycles.get(P)!.meshgemm;
    expect(r(64, 'cannon')).toBeGreaterThan(r(8, 'cannon') * 1.15);
    expect(r(32, 'cannon')).toBeGreaterThan(r(16, 'cannon'));
    expect(r(64, 'summa')).toBeGreaterThan(r(8, 'summa'));
  });
});

describe('MeshGEMV against the pipeline allreduce', () => {
  let speedup64 = 0;
  let speedup256 = 0;
  let speedup16 = 0;
  beforeAll(async () => {
    speedup16 = (await gemvCycles(16, 128, 128, 'pipeline')) / (await gemvCycles(16, 128, 128, 'ktree'));
    speedup64 = (await gemvCycles(64, 512, 512, 'pipeline')) / (await gemvCycles(64, 512, 512, 'ktree'));
    speedup256 = (await gemvCycles(256, 2048, 2048, 'pipeline')) / (await gemvCycles(256, 2048, 2048, 'ktree'));
  }, 300_000);

  it('is at least 2× faster at P = 64 and 3.5× at P = 256 (8×8 blocks per core)', () => {
    expect(speedup64).toBeGreaterThanOrEqual(2);
    expect(speedup256).toBeGreaterThanOrEqual(3.5);
  });

  it('its advantage grows with P', () => {
    expect(speedup64).toBeGreaterThan(speedup16);
    expect(speedup256).toBeGreaterThan(speedup64);
  });
});

