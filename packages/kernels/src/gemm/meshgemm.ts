// MeshGEMM (WaferLLM §2): Cannon's algorithm on interleaved 2-hop rings, and the Cannon baseline.

import type { Core, CoreStep } from '@wafer/arch';
import { interleavedRing, plainRing } from '../ring.js';
import { cannonOnRings } from './cannon-family.js';
import type { GemmCoreArgs } from './types.js';

/** MeshGEMM: every shift travels at most 2 hops, each directed link carries one flow per step. */
export function* meshGemm(core: Core, args: GemmCoreArgs): Generator<CoreStep, void, Float32Array> {
  yield cannonOnRings(core, interleavedRing(core.cols), args);
}

/** Cannon's algorithm on the physical line: the wrap-around shift costs P−1 hops every step. */
export function* cannon(core: Core, args: GemmCoreArgs): Generator<CoreStep, void, Float32Array> {
  yield cannonOnRings(core, plainRing(core.cols), args);
}
