// `core.give`: a send without the copy. Inside a tile the receiver gets the sender's vector itself; across tiles
// a copy through the ring; a multicast copies for every receiver. Values, messages and modeled cycles are those
// of `send` at any thread count.
import { describe, expect, it } from 'vitest';
import { E, partitionTiles, route, type Core, type SubProgram } from '@wafer/arch';
import { ControlState, Fabric, testingProgram } from '@wafer/fabric';
import { TileRuntime } from '../src/worker/tile-runtime.js';
import { preset } from '../../../test/helpers/machines.js';

describe('give', () => {
  for (const threads of [1, 2]) {
    it(`gives the values, messages and modeled cycles of send (T=${threads})`, async () => {
      const fabric = await Fabric.start({ machine: preset('dev'), mesh: { rows: 2, cols: 4 }, threads, tileShape: 'columns' });
      try {
        const runs = [];
        for (const give of [true, false]) {
          const report = await fabric.run(testingProgram('givenChain'), { words: 3, give });
          const result = await fabric.gather('result');
          runs.push({ cycles: report.modeledCycles, messages: report.messages, words: report.words, sums: result.slice(0, 4).map((r) => Array.from(r!)) });
        }
        // Core x of row 0 holds 1 + 2 + … + (x + 1).
        expect(runs[0].sums).toEqual([1, 3, 6, 10].map((v) => [v, v, v]));
        expect(runs[0]).toEqual(runs[1]);
        expect(runs[0].messages).toBe(3);
      } finally {
        await fabric.close();
      }
    });
  }

  /** Runs `program` on a 1×cols mesh, one tile in this thread. */
  function runTiles(cols: number, program: (core: Core) => SubProgram<void>): void {
    const mesh = { rows: 1, cols };
    const tiles = partitionTiles(mesh, 1, 'columns');
    const tile = new TileRuntime({ tileId: 0, tiles, mesh, machine: preset('dev'), sramUnlimited: true, spinMicros: 0, profileWall: false, control: ControlState.create(1).sab, routeTable: new SharedArrayBuffer(cols * 32 * 4), rings: [] });
    const r = tile.run(program, {});
    expect(r.kind).toBe('done');
  }

  it('hands the vector itself to a receiver in the same tile; send and multicasts copy', () => {
    const sent = new Map<string, Float32Array>();
    const received = new Map<string, Float32Array>();
    runTiles(4, function* (core: Core): SubProgram<void> {
      if (core.x === 0) {
        const given = core.scratch(2).fill(1);
        const copied = core.scratch(2).fill(2);
        const multicast = core.scratch(2).fill(3);
        sent.set('give', given);
        sent.set('send', copied);
        sent.set('multicast', multicast);
        core.give(route(0, E), given);
        core.send(route(1, E), copied);
        core.give(route(2, E, 3, true), multicast);
        return;
      }
      if (core.x === 1) {
        received.set('give', yield core.recv(0));
        received.set('send', yield core.recv(1));
      }
      received.set(`multicast ${core.x}`, yield core.recv(2));
    });
    expect(received.get('give')).toBe(sent.get('give'));
    expect(received.get('send')).not.toBe(sent.get('send'));
    expect(Array.from(received.get('send')!)).toEqual([2, 2]);
    for (const x of [1, 2, 3]) {
      expect(received.get(`multicast ${x}`)).not.toBe(sent.get('multicast'));
      expect(Array.from(received.get(`multicast ${x}`)!)).toEqual([3, 3]);
    }
  });
});
