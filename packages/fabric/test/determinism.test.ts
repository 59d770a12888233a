// Results, core clocks and counters are identical for any thread count and tile shape.
import { describe, expect, it } from 'vitest';
import { Fabric, testingProgram, type MeshCounters } from '@wafer/fabric';
import { preset } from '../../../test/helpers/machines.js';

const machine = preset('dev');
const programs = [
  ['pingPong', { rounds: 6, words: 5 }],
  ['rowShift', { words: 3 }],
  ['rowBroadcast', { words: 4 }],
  ['contended', { words: 9 }],
  ['neighbourExchange', { rounds: 3, words: 2 }],
  ['streamChain', { words: 6 }],
] as const;

async function runAll(rows: number, cols: number, threads: number) {
  const fabric = await Fabric.start({ machine, mesh: { rows, cols }, threads });
  const out: { cycles: number; messages: number; results: (number[] | null)[]; counters: MeshCounters }[] = [];
  try {
    for (const [name, args] of programs) {
      if ((name === 'pingPong' || name === 'contended') && cols < 3) continue;
      const report = await fabric.run(testingProgram(name), args);
      const results = (await fabric.gather('result')).map((r) => (r ? Array.from(r) : null));
      out.push({ cycles: report.modeledCycles, messages: report.messages, results, counters: await fabric.counters() });
      await fabric.free('result');
    }
  } finally {
    await fabric.close();
  }
  return out;
}

describe('determinism across thread counts', () => {
  for (const [rows, cols] of [[1, 1], [2, 3], [5, 5], [16, 16]] as const) {
    it(`${rows}x${cols}: T = 1, 2, 3, 4, 8 agree exactly`, async () => {
      const base = await runAll(rows, cols, 1);
      for (const threads of [2, 3, 4, 8]) {
        if (threads > rows * cols) continue;
        const other = await runAll(rows, cols, threads);
        expect(other.length).toBe(base.length);
        for (let p = 0; p < base.length; p++) {
          expect(other[p].cycles).toBe(base[p].cycles);
          expect(other[p].messages).toBe(base[p].messages);
          expect(other[p].results).toEqual(base[p].results);
          expect(other[p].counters).toEqual(base[p].counters);
        }
      }
    });
  }
});
