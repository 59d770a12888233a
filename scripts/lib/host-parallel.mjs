// How much a second thread can give on this host: two independent 1-thread mesh engines decoding at the same
// time, against one alone. Nothing is shared between the two (no rings, no waits), so their slowdown is the
// host's own (memory system, caches, a virtual CPU that is not a whole core): 2 × (alone / together) is about
// what 2 threads of one engine can reach on the same workload, measured at the same moment. Used by
// `pnpm bench speed`.
import { MeshLlama } from '@wafer/llama';
import { median } from './median.mjs';

/** Wall ms of `steps` decode steps (positions 0..steps-1 of token 1) on `engine`. */
async function decodeMs(engine, steps) {
  const t0 = performance.now();
  for (let pos = 0; pos < steps; pos++) await engine.forward(1, pos);
  return performance.now() - t0;
}

/**
 * `reps` rounds of: engine A alone, then A and B together (their steps interleave on this thread's event loop;
 * their tile threads run at once). Returns the median over rounds of alone / together (1: no slowdown) and
 * `factor`, 2 × that: how many times one engine's work the two did in the same time.
 */
export async function hostParallelism(model, { side, machine, steps, reps }) {
  const options = { mesh: { rows: side, cols: side }, threads: 1, machine, prefill: 'decode' };
  const a = await MeshLlama.create(model, options);
  const b = await MeshLlama.create(model, options);
  try {
    await decodeMs(a, 2); // warm-up: JIT, program import
    await decodeMs(b, 2);
    const ratios = [];
    for (let r = 0; r < reps; r++) {
      const alone = await decodeMs(a, steps);
      const together = await Promise.all([decodeMs(a, steps), decodeMs(b, steps)]);
      ratios.push(alone / ((together[0] + together[1]) / 2));
    }
    const ratio = median(ratios);
    return { ratio, factor: 2 * ratio };
  } finally {
    await a.close();
    await b.close();
  }
}
