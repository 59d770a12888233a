// The run-queue reader behind --profile-wall: schedstat lines parsed, and a profiled run's breakdown consistent.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Fabric, testingProgram } from '@wafer/fabric';
import { parseSchedstat, ThreadCpu } from '../src/worker/thread-cpu.js';
import { preset } from '../../../test/helpers/machines.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('thread CPU times', () => {
  it('parses the three numbers of a schedstat line, and refuses anything else', () => {
    const ok = bytes('1155007839 560543989 157\n');
    expect(parseSchedstat(ok, ok.length)).toEqual([1155007839, 560543989, 157]);
    for (const bad of ['', '12\n', '12 34\n', 'x 1 2\n', '12 y 3\n']) expect(parseSchedstat(bytes(bad), bad.length)).toBeNull();
    expect(parseSchedstat(ok, 20)).toBeNull(); // only as many bytes as were read count
  });

  it.runIf(existsSync('/proc/thread-self/schedstat'))('reads a run-queue time on Linux that never goes down', () => {
    // (Where the file exists but the kernel keeps no scheduler statistics, open() refuses it: this test then fails.)
    const cpu = ThreadCpu.open();
    expect(cpu).not.toBeNull();
    const first = cpu!.runQueueMs;
    expect(first).toBeGreaterThanOrEqual(0);
    let x = 0;
    for (let i = 0; i < 1e6; i++) x += i;
    expect(x).toBeGreaterThan(0);
    expect(cpu!.read()).toBe(true);
    expect(cpu!.runQueueMs).toBeGreaterThanOrEqual(first);
  });

  it("a profiled run reports each thread's sleep, and its run-queue time where Linux gives it", async () => {
    // No spin: a thread that runs out of work sleeps at once, so a ping-pong across the two tiles must sleep.
    const fabric = await Fabric.start({ machine: preset('dev'), mesh: { rows: 1, cols: 2 }, threads: 2, profileWall: true, spinMicros: 0 });
    try {
      const r = await fabric.run(testingProgram('pingPong'), { rounds: 200, words: 1 });
      expect(r.wall).toHaveLength(2);
      expect(Math.max(...r.wall!.map((w) => w.sleepMs))).toBeGreaterThan(0);
      for (const w of r.wall!) {
        expect(w.sleepMs).toBeGreaterThanOrEqual(0);
        expect(w.sleepMs).toBeLessThanOrEqual(w.idleMs);
        if (ThreadCpu.open() !== null) {
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
