// MeshGEMM beats Cannon and SUMMA at P ≥ 8, and its advantage over Cannon grows with P (Cannon's
// wrap-around edge paces every step once flow control makes each route carry one tile at a time).
import { describe, expect, it } from 'vitest';
import { cannonCycles, meshGemmCycles, summaCycles } from '../src/index.js';
import { preset } from './presets.js';

const spec = preset('wse2');

describe('MeshGEMM vs Cannon and SUMMA', () => {
  for (const p of [8, 16, 64, 360, 720]) {
    for (const [m, k, n] of [[4096, 4096, 4096], [4096, 4096, 14336], [p, p, p]]) {
      it(`P=${p}, ${m}x${k}x${n}`, () => {
        const w = { m, k, n, p };
        const mesh = meshGemmCycles(spec, w).totalCycles;
        expect(cannonCycles(spec, w).totalCycles).toBeGreaterThan(mesh);
        expect(summaCycles(spec, w).totalCycles).toBeGreaterThan(mesh);
      });
    }
  }
  it('Cannon falls further behind as the grid grows', () => {
    const ratio = (p: number) => cannonCycles(spec, { m: 4096, k: 4096, n: 4096, p }).totalCycles / meshGemmCycles(spec, { m: 4096, k: 4096, n: 4096, p }).totalCycles;
    expect(ratio(720)).toBeGreaterThan(ratio(360));
    expect(ratio(720)).toBeGreaterThan(1.5);
  });
});
