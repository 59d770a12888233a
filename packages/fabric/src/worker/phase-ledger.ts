// Per-core phase accounting of one tile (observe.phases): every advance of a core's clock is added to the phase
// its program marked last and to one kind (compute, element-wise, overhead, relay, wait), in one flat
// Float64Array, so a core's cycles over all phases and kinds add up to its clock exactly.

import { CYCLE_KIND_COUNT } from '@wafer/arch';
import type { CriticalCore } from '../protocol.js';

const K = CYCLE_KIND_COUNT;

export class PhaseLedger {
  /** Phase ids per core in `cycles`: the largest id marked so far plus one (grows, never shrinks). */
  stride = 1;
  /** [core × stride × K] cycles of the current run. */
  cycles: Float64Array;
  /** Per core: the phase id it marked last in this run. */
  private readonly current: Uint8Array;

  constructor(private readonly n: number) {
    this.cycles = new Float64Array(n * K);
    this.current = new Uint8Array(n);
  }

  /** Starts a run: every core in phase 0 ('unmarked'), no cycles. */
  reset(): void {
    this.cycles.fill(0);
    this.current.fill(0);
  }

  /** Core i enters phase `id` (already validated). */
  mark(i: number, id: number): void {
    if (id >= this.stride) this.grow(id + 1);
    this.current[i] = id;
  }

  /** Adds `cycles` of `kind` to core i's current phase. */
  add(i: number, kind: number, cycles: number): void {
    this.cycles[(i * this.stride + this.current[i]) * K + kind] += cycles;
  }

  private grow(stride: number): void {
    const next = new Float64Array(this.n * stride * K);
    const old = this.stride * K;
    for (let i = 0; i < this.n; i++) next.set(this.cycles.subarray(i * old, (i + 1) * old), i * stride * K);
    this.cycles = next;
    this.stride = stride;
  }

  /**
   * The tile's core whose clock ended last (ties: the first in row-major order, which is also the lowest global
   * index inside a rectangular tile), with a copy of its cycles.
   */
  critical(clock: Float64Array, globalIndex: (i: number) => number): CriticalCore {
    let best = 0;
    for (let i = 1; i < this.n; i++) if (clock[i] > clock[best]) best = i;
    const w = this.stride * K;
    return { core: globalIndex(best), clock: clock[best], stride: this.stride, cycles: this.cycles.slice(best * w, (best + 1) * w) };
  }
}
