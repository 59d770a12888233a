// Faults in the middle of a run: a worker that exits, a core that throws, a core program that never yields.
// Each ends the run within 2 s with one line naming the tile and the core, and leaves no worker thread behind;
// a core that computes for longer than the stall limit without yielding is not mistaken for a hung one.
import { afterEach, describe, expect, it } from 'vitest';
import { Fabric, liveFabricThreads, testingProgram } from '@wafer/fabric';
import type { WaferError } from '@wafer/arch';
import { preset } from '../../../test/helpers/machines.js';

/** Starts a 4x5 fabric on 3 threads, runs `rounds` good runs, then `program`; returns its error and timing. */
async function faultAfterGoodRuns(program: Parameters<typeof testingProgram>[0], args: object, rounds = 3) {
  const fabric = await Fabric.start({ machine: preset('dev'), mesh: { rows: 4, cols: 5 }, threads: 3 });
  for (let r = 0; r < rounds; r++) await fabric.run(testingProgram('rowShift'), { words: 4 });
  const t0 = performance.now();
  const error = await fabric.run(testingProgram(program), args).then(
    () => { throw new Error(`${program} did not fail`); },
    (e: WaferError) => e,
  );
  return { error, ms: performance.now() - t0, fabric };
}

async function threadsGone(fabric: Fabric): Promise<void> {
  for (let i = 0; i < 50 && (fabric.liveThreads > 0 || liveFabricThreads() > 0); i++) await new Promise((r) => setTimeout(r, 20));
  expect(fabric.liveThreads).toBe(0);
  expect(liveFabricThreads()).toBe(0);
}

afterEach(() => expect(liveFabricThreads()).toBe(0));

describe('faults in the middle of a run', () => {
  it('a core program that never yields: CORE_HUNG names the core and its tile, within 2 s', async () => {
    const { error, ms, fabric } = await faultAfterGoodRuns('neverYields', { at: [3, 2] });
    expect(error.code).toBe('CORE_HUNG');
    expect(error.message).toMatch(/^core\(3,2\) on tile \d+ has run for 1\.\d s without yielding or computing: /);
    expect(error.message).not.toContain('\n');
    expect(ms).toBeLessThan(2000);
    await threadsGone(fabric);
  });

  it('a worker that exits: WORKER_FAILED names the tile and the core it was running', async () => {
    const { error, ms, fabric } = await faultAfterGoodRuns('exitsWorker', {});
    expect(error.code).toBe('WORKER_FAILED');
    expect(error.message).toMatch(/^worker of tile 0 \(cores x 0\.\.\d, y 0\.\.\d\) died while core\(0,0\) was running: /);
    expect(ms).toBeLessThan(2000);
    await threadsGone(fabric);
  });

  it('a core that throws after good runs: CORE_FAILED names the core and the tile', async () => {
    const { error, ms, fabric } = await faultAfterGoodRuns('throwsAt', { at: [4, 3] });
    expect(error.code).toBe('CORE_FAILED');
    expect(error.message).toMatch(/^core\(4,3\) on tile \d+ failed: deliberate failure$/);
    expect(ms).toBeLessThan(2000);
    await threadsGone(fabric);
  });

  it('a core computing for 1.5 s without yielding is not hung (compute charges count as progress)', async () => {
    const fabric = await Fabric.start({ machine: preset('dev'), mesh: { rows: 2, cols: 2 }, threads: 2 });
    const report = await fabric.run(testingProgram('computesFor'), { ms: 1500 });
    expect(report.modeledCycles).toBeGreaterThan(0);
    await fabric.close();
  });

  it('stallMs sets the limit: 300 ms', async () => {
    const fabric = await Fabric.start({ machine: preset('dev'), mesh: { rows: 2, cols: 2 }, threads: 2, stallMs: 300 });
    const t0 = performance.now();
    // The watchdog samples the beats periodically, so a loaded machine may notice up to a tick late: anything from
    // 0.3 s to well under the default 1.5 s shows the limit applied.
    await expect(fabric.run(testingProgram('neverYields'), { at: [1, 1] })).rejects.toThrow(/^core\(1,1\) on tile 1 has run for 0\.[3-9] s/);
    expect(performance.now() - t0).toBeLessThan(1000);
    await threadsGone(fabric);
  });
});
