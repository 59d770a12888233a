// The run-queue reader behind --profile-wall: schedstat lines parsed, and a profiled run's breakdown consistent.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Fabric, testingProgram } from '@wafer/fabric';
import { parseSchedstat } from '../src/worker/thread-cpu.js';
import { preset } from '../../../test/helpers/machines.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('thread CPU times', () => {
  it('parses the first two numbers of a schedstat line, and refuses anything else', () => {
    const ok = bytes('1155007839 560543989 157\n');
    expect(parseSchedstat(ok, ok.length)).toEqual([1155007839, 560543989]);
    for (const bad of ['', '12\n', 'x 1 2\n', '12 y 3\n']) expect(parseSchedstat(bytes(bad), bad.length)).toBeNull();
    const cut = bytes('1155007839 560543989 157\n');
    expect(parseSchedstat(cut, 10)).toBeNull(); // only as many bytes as were read count
  });

  it("a profiled run reports each thread's sleep, and its run-queue time where Linux gives it", async () => {
    const fabric = await Fabric.start({ machine: preset('dev'), mesh: { rows: 4, cols: 8 }, threads: 2, profileWall: true });
    try {
      const r = await fabric.run(testingProgram('neighbourExchange'), { rounds: 50, words: 1 });
      expect(r.wall).toHaveLength(2);
      for (const w of r.wall!) {
        expect(w.sleepMs).toBeGreaterThanOrEqual(0);
        expect(w.sleepMs).toBeLessThanOrEqual(w.idleMs);
        if (existsSync('/proc/thread-self/schedstat')) {
          expect(w.runQueueMs).toBeGreaterThanOrEqual(0);
          expect(w.runQueueMs! + w.sleepMs).toBeLessThanOrEqual(w.runMs);
        } else {
          expect(w.runQueueMs).toBeUndefined();
        }
      }
    } finally {
      await fabric.close();
    }
  });
});
