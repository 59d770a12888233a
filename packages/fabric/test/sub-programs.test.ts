// Sub-programs: `yield sub(...)` runs a generator on the core in place of its caller (the tile keeps the callers
// on a stack per core), `yield* sub(...)` delegates. Both must give the same values and modeled cycles at any
// thread count; a failed run must not leave suspended callers behind for the next run; a value that is neither
// a receive nor a sub-program is a program bug named by its core.
import { describe, expect, it } from 'vitest';
import { partitionTiles, type Core, type CoreStep, type WaferError } from '@wafer/arch';
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

  it('a run that fails with cores inside sub-programs leaves nothing suspended for the next run', () => {
    const mesh = { rows: 1, cols: 4 };
    const tile = new TileRuntime({ tileId: 0, tiles: partitionTiles(mesh, 1), mesh, machine: preset('dev'), sramUnlimited: true, spinMicros: 0, profileWall: false, control: ControlState.create(1).sab, routeTable: new SharedArrayBuffer(4 * 32 * 4), rings: [] });
    const args = { words: 2, rounds: 2, delegate: false };
    const clean = tile.run(nestedChains, args);
    expect(clean.kind).toBe('done');
    // Cores 0..2 wait inside a sub-program (on a colour nobody sends on) when core 3 fails.
    function* waitOn9(core: Core): Generator<CoreStep, Float32Array, Float32Array> {
      return yield core.recv(9);
    }
    const failing = tile.run(function* (core: Core): Generator<CoreStep, void, Float32Array> {
      if (core.x === 3) throw new Error('deliberate failure');
      yield waitOn9(core);
      core.alloc('stale', 1); // only if a later run resumed this run's suspended caller
    }, {});
    expect(failing.kind).toBe('failed');
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
