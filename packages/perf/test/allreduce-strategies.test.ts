// MeshGEMV's K-tree allreduce beats the vendor-style pipeline by a factor that grows with the line length
// (about √P relays instead of P), and beats the ring, for the decode vector sizes.
import { describe, expect, it } from 'vitest';
import { allreduceCycles, gemvCycles } from '../src/index.js';
import { preset } from './presets.js';

const spec = preset('wse2');

describe('K-tree vs pipeline and ring', () => {
  it('the pipeline / K-tree ratio grows with P', () => {
    const ratios = [64, 128, 256, 512, 720].map((p) => allreduceCycles(spec, p, 16, { strategy: 'pipeline' }) / allreduceCycles(spec, p, 16));
    for (let i = 1; i < ratios.length; i++) expect(ratios[i]).toBeGreaterThan(ratios[i - 1]);
    expect(ratios[0]).toBeGreaterThan(1.5);
    expect(ratios[ratios.length - 1]).toBeGreaterThan(4);
  });
  it('whole GEMVs: MeshGEMV is several times faster than the pipeline GEMV at 600x600', () => {
    const w = { m: 16384, n: 16384, rows: 600, cols: 600 };
    const mesh = gemvCycles(spec, w).totalCycles;
    expect(gemvCycles(spec, w, { strategy: 'pipeline' }).totalCycles / mesh).toBeGreaterThan(3);
    expect(gemvCycles(spec, w, { strategy: 'ring' }).totalCycles / mesh).toBeGreaterThan(3);
  });
});
