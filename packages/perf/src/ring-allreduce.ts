// Ring allreduce on the interleaved ring (reduce-scatter then all-gather, 2(P−1) steps of one ⌈n/P⌉ chunk
// each), evaluated step by step with the fabric's rules: the ring's 1-hop and 2-hop edges and the uneven
// chunks make a closed form inexact, and the recurrence is only O(P²) additions.

import { evenSplit, type MachineSpec } from '@wafer/arch';
import { linkCosts, nonNegativeInt, positiveInt, ser } from './link-timing.js';
import { interleavedRing } from './ring-geometry.js';

/** Per-core modeled state: clock, link-free times, and whether the last receive was a stream. */
interface CoreClock {
  t: number;
  egressFree: number;
  ingressFree: number;
  streamed: boolean;
  lastTaken: number; // when the core last took a chunk off its incoming ring route (flow control)
}

/**
 * Ring allreduce of an n-vector along a line of P cores, critical path in cycles. Each step a core sends one
 * chunk to its ring successor (the streamed output of the previous step's relay) and streams the chunk its
 * predecessor sends; the very last receive takes the whole chunk. A route holds one chunk at a time, so a
 * step also waits for the previous chunk's credit: per step ≈ max(ser(n/P), 2hα + μ + β).
 */
export function ringAllreduceCycles(spec: MachineSpec, p: number, n: number): number {
  positiveInt(p, 'allreduce line length');
  nonNegativeInt(n, 'allreduce vector length');
  if (p === 1) return 0;
  const c = linkCosts(spec);
  const ring = interleavedRing(p);
  const chunkSer = evenSplit(n, p).map((z) => ser(spec, z));
  const cores: CoreClock[] = Array.from({ length: p }, () => ({ t: 0, egressFree: 0, ingressFree: 0, streamed: false, lastTaken: Number.NEGATIVE_INFINITY }));
  const sendStart = new Float64Array(p);
  const sendSer = new Float64Array(p);
  const steps = 2 * (p - 1);
  for (let step = 0; step < steps; step++) {
    const gather = step >= p - 1;
    const s = gather ? step - (p - 1) : step;
    for (let i = 0; i < p; i++) {
      const l = ring.logical(i);
      const chunk = gather ? (l + 1 - s + 2 * p) % p : (l - s + 2 * p) % p;
      const core = cores[i];
      const start = Math.max(core.t, core.egressFree);
      core.egressFree = start + chunkSer[chunk];
      if (core.streamed) {
        core.t = start + chunkSer[chunk];
        core.streamed = false;
      }
      sendStart[i] = start;
      sendSer[i] = chunkSer[chunk];
    }
    const whole = step === steps - 1;
    for (let i = 0; i < p; i++) {
      const from = ring.pred(i);
      const core = cores[i];
      const hops = Math.abs(i - from);
      // Flow control: the chunk leaves only once the credit for the previous one has travelled back.
      const head = Math.max(sendStart[from], core.lastTaken + c.alpha * hops) + c.alpha * hops + c.mu;
      const arrive = Math.max(head, core.ingressFree);
      core.ingressFree = arrive + sendSer[from];
      if (whole) core.t = Math.max(core.t, arrive + sendSer[from]);
      else {
        core.t = Math.max(core.t, arrive + c.beta);
        core.streamed = true;
      }
      core.lastTaken = core.t;
    }
  }
  return Math.max(...cores.map((k) => k.t));
}
