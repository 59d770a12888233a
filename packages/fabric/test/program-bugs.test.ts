// Program bugs the fabric must report the same way for every thread count: messages nobody receives
// (including enough to fill a ring toward a tile that has finished), flows that merge on one colour, and a
// program that throws before its first yield.
import { describe, expect, it } from 'vitest';
import { Fabric, testingProgram } from '@wafer/fabric';
import type { WaferError } from '@wafer/arch';
import { preset } from '../../../test/helpers/machines.js';

async function runError(program: Parameters<typeof testingProgram>[0], args: object, threads: number, cols = 2) {
  const fabric = await Fabric.start({ machine: preset('dev'), mesh: { rows: 1, cols }, threads, tileShape: 'columns' });
  const t0 = performance.now();
  try {
    await fabric.run(testingProgram(program), args);
    return { error: null, ms: performance.now() - t0 };
  } catch (e) {
    return { error: e as WaferError, ms: performance.now() - t0 };
  } finally {
    await fabric.destroy();
  }
}

describe('program bugs', () => {
  for (const threads of [1, 2]) {
    it(`messages nobody receives are an error (T=${threads}), even when they fill the ring`, async () => {
      for (const [count, words] of [[1, 4], [10, 20_000]]) {
        const { error, ms } = await runError('strays', { count, words }, threads);
        expect(error?.code).toBe('INTERNAL');
        expect(error?.message).toContain(`run ended with ${count} message(s) sent but never received (core(1,0) (${count} on colour 0))`);
        expect(ms).toBeLessThan(5000);
      }
    });

    it(`two flows merging on one colour are a route conflict (T=${threads})`, async () => {
      const { error } = await runError('merging', {}, threads, 3);
      expect(error?.code).toBe('ROUTE_CONFLICT');
      expect(error?.message).toContain('router(1,0) sends colour 0 out to E from both W and core');
    });

    it(`a program that throws before its first yield names the core (T=${threads})`, async () => {
      const { error } = await runError('throwsBeforeStart', {}, threads);
      expect(error?.code).toBe('CORE_FAILED');
      expect(error?.message).toMatch(/^core\(1,0\) on tile \d failed: bad arguments$/);
    });
  }
});
