// A throwing core, a deadlock, a dying worker, SRAM and route-budget overflow: each a named error, fast.
import { describe, expect, it } from 'vitest';
import { Fabric, liveFabricThreads, testingProgram } from '@wafer/fabric';
import { WaferError } from '@wafer/arch';
import { preset } from '../../../test/helpers/machines.js';

async function failure(program: Parameters<typeof testingProgram>[0], args: object, machine = preset('dev'), threads = 3) {
  const fabric = await Fabric.start({ machine, mesh: { rows: 4, cols: 5 }, threads });
  const t0 = performance.now();
  try {
    await fabric.run(testingProgram(program), args);
  } catch (e) {
    // A run that fails inside the mesh tears the fabric down itself: no worker thread may be left running.
    // (A route-budget overflow is found after a complete run; that fabric stays usable.)
    if ((e as WaferError).code !== 'ROUTE_BUDGET') {
      await new Promise((r) => setTimeout(r, 50));
      expect(fabric.liveThreads).toBe(0);
    }
    return { error: e as WaferError, ms: performance.now() - t0, fabric };
  } finally {
    await fabric.destroy();
  }
  throw new Error(`${program} did not fail`);
}

describe('failures', () => {
  it('a core that throws names the core and the tile', async () => {
    const { error, ms } = await failure('throwsAt', { at: [3, 2] });
    expect(error).toBeInstanceOf(WaferError);
    expect(error.code).toBe('CORE_FAILED');
    expect(error.message).toMatch(/^core\(3,2\) on tile \d+ failed: deliberate failure$/);
    expect(ms).toBeLessThan(5000);
  });

  it('a deadlock lists the waiting cores and their routes', async () => {
    const { error, ms } = await failure('deadlock', {});
    expect(error.code).toBe('DEADLOCK');
    expect(error.message).toContain('20 core(s) wait');
    expect(error.message).toContain('core(0,0) on colour 5');
    expect(ms).toBeLessThan(5000);
  });

  it('a worker that exits tears the fabric down', async () => {
    const { error, fabric } = await failure('exitsWorker', {});
    expect(error.code).toBe('WORKER_FAILED');
    expect(error.message).toMatch(/worker of tile 0 .* died/);
    await expect(fabric.run(testingProgram('rowShift'), { words: 1 })).rejects.toThrow();
  });

  it('SRAM overflow names the core and the budget', async () => {
    const { error } = await failure('allocates', { floats: 5_000_000 });
    expect(error.code).toBe('SRAM_OVERFLOW');
    expect(error.message).toContain('core(0,0)');
    expect(error.message).toContain('16777216 bytes');
  });

  it('SRAM overflow with sramUnlimited is reported, not fatal', async () => {
    const fabric = await Fabric.start({ machine: preset('dev'), mesh: { rows: 2, cols: 2 }, threads: 2, sramUnlimited: true });
    const r = await fabric.run(testingProgram('allocates'), { floats: 5_000_000 });
    await fabric.close();
    expect(r.sramOverflowCores).toBe(4);
    expect(r.sramPeakBytesPerCore).toBe(20_000_000);
  });

  it('route-table overflow: 25 colours through one router exceed the wse2 budget of 24', async () => {
    const { error } = await failure('manyRoutes', { routes: 25 }, preset('wse2'), 2);
    expect(error.code).toBe('ROUTE_BUDGET');
    expect(error.message).toBe("router(0,0) needs 25 route-table entries, over machine wse2's budget of 24 per router");
  });

  it('close called twice at once: both resolve, after one shutdown, and no thread is left', async () => {
    const fabric = await Fabric.start({ machine: preset('dev'), mesh: { rows: 2, cols: 2 }, threads: 2 });
    await fabric.run(testingProgram('rowShift'), { words: 4 });
    const first = fabric.close();
    expect(fabric.close()).toBe(first);
    await first;
    expect(fabric.liveThreads).toBe(0);
    expect(liveFabricThreads()).toBe(0);
  });

  it('destroyed while closing: the close settles instead of waiting for replies that never come', async () => {
    const fabric = await Fabric.start({ machine: preset('dev'), mesh: { rows: 2, cols: 2 }, threads: 2 });
    await fabric.run(testingProgram('rowShift'), { words: 4 });
    const closing = fabric.close();
    await fabric.destroy();
    const outcome = await Promise.race([closing.then(() => 'settled'), new Promise((r) => setTimeout(() => r('pending after 2 s'), 2000))]);
    expect(outcome).toBe('settled');
    expect(fabric.close()).toBe(closing);
    expect(liveFabricThreads()).toBe(0);
  });

  it('24 colours fit the wse2 budget exactly', async () => {
    const fabric = await Fabric.start({ machine: preset('wse2'), mesh: { rows: 1, cols: 2 }, threads: 2 });
    const r = await fabric.run(testingProgram('manyRoutes'), { routes: 24 });
    await fabric.close();
    expect(r.maxRoutesPerRouter).toBe(24);
  });
});
