// Small cases on the dev preset (α 1, β 2, μ 0, step 10, 1 MAC and 1 element-wise op per cycle, 1-cycle
// issue, no loop cost) worked out by hand from docs/fabric.md's rules; each also matched the emulator.
import { describe, expect, it } from 'vitest';
import { allreduceCycles, elementwiseCycles, gemvCycles, meshGemmCycles, pipelineAllreduceCycles, ktreeAllreduceCycles } from '../src/index.js';
import { preset } from './presets.js';

const dev = preset('dev');

describe('hand-computed modeled cycles on dev', () => {
  it('pipeline allreduce, P=4, one value: 13', () => {
    // Chain 0→3: head at core 3 after 3 links (α) and 2 relays (β): 3 + 4 = 7; its relay β: multicast leaves
    // at 9; core 0 is 3 hops back: 9 + 3 = 12, takes the value: 13.
    expect(pipelineAllreduceCycles(dev, 4, 1)).toBe(13);
  });
  it('K-tree allreduce, P=4, one value: 11', () => {
    // G=2 groups {0,1},{2,3}, roots 0 and 2, global root 0. Phase 1: cores 1 and 3 send at 0, heads at 1,
    // roots proceed at 1 + β = 3. Phase 2: root 2 sends at 3, 2 hops: head at 5, root 0 proceeds at 7.
    // Phase 3: multicast at 7 toward 3: core 3's head at 10, takes the value at 11.
    expect(ktreeAllreduceCycles(dev, 4, 1)).toBe(11);
    expect(allreduceCycles(dev, 4, 1)).toBe(11);
  });
  it('MeshGEMV 8x8 on 4x4: 6 + 12 = 18', () => {
    // Local block 2x2: 4 MACs + 2 instructions = 6. K-tree of 2 values: as above with ser 2 — roots'
    // links busy until 3, root 2 sends at 3 (busy to 5), head at root 0 at 5, proceeds at 7; multicast at
    // 7 (root busy to 9); core 3's head at 10, takes both values at 12.
    const r = gemvCycles(dev, { m: 8, n: 8, rows: 4, cols: 4 });
    expect([r.computeCycles, r.allreduceCycles, r.totalCycles]).toEqual([6, 12, 18]);
  });
  it('MeshGEMM 4x6x8 on 2x2: 87', () => {
    // Tiles A 2x3 (ser 6), B 3x4 (ser 12), multiply 24 MACs + 6 instructions = 30. Alignment: one shift of
    // A over 1 hop: 1 + 6 = 7. Step 1: 10 + max(30, 1 + 6 + 12) = 40. Step 2 (no shift): 10 + 30.
    const r = meshGemmCycles(dev, { m: 4, k: 6, n: 8, p: 2 });
    expect([r.alignCycles, r.stepComputeCycles, r.totalCycles]).toEqual([7, 30, 87]);
  });
  it('one core: a GEMM is one step and one multiply, a GEMV needs no allreduce', () => {
    expect(meshGemmCycles(dev, { m: 2, k: 3, n: 4, p: 1 }).totalCycles).toBe(10 + 24 + 6);
    expect(gemvCycles(dev, { m: 5, n: 7, rows: 1, cols: 3 }).allreduceCycles).toBe(0);
  });
  it('element-wise: n·ops / rate + one issue per op', () => {
    expect(elementwiseCycles(dev, 100, 3)).toBe(303);
    expect(elementwiseCycles(dev, 0, 3)).toBe(0);
  });
});
