// SUMMA (the paper's baseline; packages/kernels/src/gemm/summa.ts): at step k column k broadcasts its A
// tiles along the rows and row k its B tiles along the columns, each by a chain of streaming relays outward
// in both directions; then every core multiplies. No overlap of transfer and multiply, twice the tile memory.

import type { MachineSpec } from '@wafer/arch';
import { gemmTiles, type GemmBreakdown, type GemmWorkload } from './gemm-cannon-family.js';
import { chainHeadCycles, linkCosts } from './link-timing.js';

/**
 * Modeled cycles of SUMMA. Cores are not synchronised between steps, so the broadcasts pipeline: the next
 * step's root is the first relay of this step's chains, and the critical path advances one relay along X and
 * one along Y per step (2(α + μ + β) + ser(A) + ser(B) + the multiply). The last step's roots sit at the far
 * end, so its chains cross the whole line along X and then along Y.
 */
export function summaCycles(spec: MachineSpec, w: GemmWorkload): GemmBreakdown {
  const t = gemmTiles(spec, w);
  const c = linkCosts(spec);
  const P = w.p;
  const base = { mBlock: t.mBlock, kBlock: t.kBlock, nBlock: t.nBlock, alignCycles: 0, steps: P, stepComputeCycles: t.compute };
  if (P === 1) return { ...base, stepCommCycles: 0, totalCycles: spec.stepCycles + t.compute };
  // The next root one hop away: a relay (β, then busy until its copy has left) unless it is the line's end.
  const nextRoot = (s: number, isEnd: boolean) => c.alpha + c.mu + (isEnd ? 0 : c.beta) + s;
  let total = 0;
  for (let k = 0; k < P - 1; k++) {
    const isEnd = k + 1 === P - 1;
    total += spec.stepCycles + nextRoot(t.serA, isEnd) + nextRoot(t.serB, isEnd) + t.compute;
  }
  const fullChain = chainHeadCycles(c, P - 1);
  total += spec.stepCycles + fullChain + t.serA + fullChain + t.serB + t.compute;
  return { ...base, stepCommCycles: nextRoot(t.serA, false) + nextRoot(t.serB, false), totalCycles: total };
}
