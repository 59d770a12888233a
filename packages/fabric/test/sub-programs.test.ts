// Sub-programs: `yield sub(...)` runs a generator on the core in place of its caller (the tile keeps the callers
// on a stack per core), `yield* sub(...)` delegates. Both must give the same values and modeled cycles at any
// thread count, and hand an error a sub-program throws to its callers' catch and finally blocks alike; a failed
// run must not leave suspended callers behind for the next run; a value that is neither a receive nor a
// sub-program is a program bug named by its core.
import { describe, expect, it } from 'vitest';
import { E, partitionTiles, route, type Core, type SubProgram, type WaferError } from '@wafer/arch';
import { ControlState, Fabric, testingProgram } from '@wafer/fabric';
import { TileRuntime } from '../src/worker/tile-runtime.js';
import { nestedChains } from '../src/testing/programs.js';
import { preset } from '../../../test/helpers/machines.js';

describe('sub-programs', () => {
  for (const threads of [1, 2]) {
    it(`yield and yield* give the same values and modeled cycles (T=${threads})`, async () => {
      const fabric = await Fabric.start({ machine: preset('dev'), mesh: { rows: 2, cols: 4 }, threads, tileShape: 'columns' });
      try {
        const runs = [];
        for (const delegate of [false, true]) {
          const report = await fabric.run(testingProgram('nestedChains'), { words: 5, rounds: 3, delegate });
          const result = (await fabric.gather('result'))[3]!;
          runs.push({ cycles: report.modeledCycles, messages: report.messages, result: Array.from(result) });
        }
        // The last core of row 0 sums three chains of (x + 1 + round) over x = 0..3: 3·10 + 4·(0 + 1 + 2) = 42.
        expect(runs[0].result).toEqual(new Array(5).fill(42));
        expect(runs[1]).toEqual(runs[0]);
        expect(runs[0].messages).toBe(3 * 3);
      } finally {
        await fabric.close();
      }
    });
  }

  /** A tile of 1×cols cores in this thread, and its control memory (whose abort flag a failed run raises). */
  function tileOf(cols: number): { tile: TileRuntime; control: ControlState } {
    const mesh = { rows: 1, cols };
    const control = ControlState.create(1);
    const tile = new TileRuntime({ tileId: 0, tiles: partitionTiles(mesh, 1), mesh, machine: preset('dev'), sramUnlimited: true, spinMicros: 0, profileWall: false, control: control.sab, routeTable: new SharedArrayBuffer(cols * 32 * 4), rings: [] });
    return { tile, control };
  }

  it('an error a sub-program throws reaches its callers\' catch and finally blocks, as through yield*', () => {
    // Core 0 sends to core 1 and throws at once; core 1 throws when it is resumed with that message.
    function* failing(core: Core): SubProgram<Float32Array> {
      if (core.x === 0) core.send(route(0, E), Float32Array.of(7));
      else yield core.recv(0);
      throw new Error(`failure on core ${core.x}`);
    }
    function* middle(core: Core, delegate: boolean): SubProgram<Float32Array> {
      try {
        return delegate ? yield* failing(core) : yield failing(core);
      } finally {
        core.alloc(`middle finally ${delegate}`, 1);
      }
    }
    function* catching(core: Core, a: { delegate: boolean }): SubProgram<void> {
      try {
        yield a.delegate ? middle(core, true) : middle(core, false);
        core.alloc('not reached', 1);
      } catch (e) {
        core.alloc(`caught ${a.delegate}`, 1).set([(e as Error).message === `failure on core ${core.x}` ? 1 : 0]);
      }
    }
    const { tile } = tileOf(2);
    for (const delegate of [false, true]) {
      expect(tile.run(catching, { delegate }).kind).toBe('done');
      expect(tile.gatherAll(`middle finally ${delegate}`).cores).toEqual([0, 1]);
      expect(tile.gatherAll(`caught ${delegate}`).data.map((d) => d[0])).toEqual([1, 1]);
    }
    expect(tile.gatherAll('not reached').cores).toEqual([]);
    // Caught by nobody: the core fails with the sub-program's error, after its callers' finally blocks ran.
    const r = tile.run(function* (core: Core): SubProgram<void> {
      try {
        yield failing(core);
      } finally {
        core.alloc('outer finally', 1);
      }
    }, {});
    expect(r.kind === 'failed' && r.failure.message).toBe('failure on core 0');
    expect(tile.gatherAll('outer finally').cores).toContain(0);
  });

  it('a run that fails with cores inside sub-programs leaves nothing suspended for the next run', () => {
    const { tile, control } = tileOf(4);
    const args = { words: 2, rounds: 2, delegate: false };
    const clean = tile.run(nestedChains, args);
    expect(clean.kind).toBe('done');
    // Cores 0..2 wait inside a sub-program (on a colour nobody sends on) when core 3 fails.
    function* waitOn9(core: Core): SubProgram<Float32Array> {
      return yield core.recv(9);
    }
    const failing = tile.run(function* (core: Core): SubProgram<void> {
      if (core.x === 3) throw new Error('deliberate failure');
      yield waitOn9(core);
      core.alloc('stale', 1); // only if a later run resumed this run's suspended caller
    }, {});
    expect(failing.kind).toBe('failed');
    control.clearAbort(); // as the coordinator does before its next run
    const again = tile.run(nestedChains, args);
    expect(again.kind).toBe('done');
    if (clean.kind === 'done' && again.kind === 'done') expect(again.summary.maxClock).toBe(clean.summary.maxClock);
    expect(Array.from(tile.gatherAll('result').data[0])).toEqual([24, 24]); // (1+2+3+4) + (2+3+4+5)
    expect(tile.gatherAll('stale').cores).toEqual([]);
  });

  it('yielding anything else is a program bug, named by its core', async () => {
    const fabric = await Fabric.start({ machine: preset('dev'), mesh: { rows: 1, cols: 2 }, threads: 1 });
    try {
      const error = await fabric.run(testingProgram('yieldsJunk'), {}).then(() => null, (e: WaferError) => e);
      expect(error?.code).toBe('CORE_FAILED');
      expect(error?.message).toMatch(/^core\(0,0\) on tile 0 failed: a core program yielded \[object Object\]: yield core\.recv\(colour\), core\.stream\(colour\) or a sub-program/);
    } finally {
      await fabric.destroy();
    }
  });
});
