// Tile hosts give bit-identical results: every mesh kernel and the fabric's test programs on 2 and 3 host
// processes (bands of rows and of columns, and random frame sizes with injected delays) against one process:
// outputs, modeled cycles, message counts and every per-core and per-link counter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fabric, liveFabricThreads, testingProgram, type FabricOptions } from '@wafer/fabric';
import { runAllreduce, runGemm, runGemv, runQkt } from '@wafer/kernels';
import { preset } from './helpers/machines.js';
import { seededUniform } from './helpers/random.js';
import { startHosts, type HostProcs } from './helpers/tile-hosts.js';

const machine = preset('wse2');
let hosts: HostProcs;
beforeAll(async () => {
  hosts = await startHosts([1, 2, 1]);
});
afterAll(async () => {
  await hosts?.stop();
});

type Extra = Pick<FabricOptions, 'threads' | 'hosts'>;

/** Everything observable about a kernel run. */
async function observe(f: Fabric, run: () => Promise<{ out: Float32Array | Float32Array[]; report: { modeledCycles: number; messages: number; words: number } }>) {
  const { out, report } = await run();
  const c = await f.counters();
  return { out: Array.isArray(out) ? out.map((o) => Array.from(o)) : Array.from(out), cycles: report.modeledCycles, messages: report.messages, words: report.words, counters: c };
}

async function kernels(extra: Extra) {
  const results: unknown[] = [];
  const square = await Fabric.start({ machine, mesh: { rows: 5, cols: 5 }, threads: 3, sramUnlimited: true, ...extra });
  try {
    const [m, k, n] = [37, 53, 29];
    const a = seededUniform(1, m * k);
    const b = seededUniform(2, k * n);
    for (const algo of ['meshgemm', 'cannon', 'summa'] as const) results.push(await observe(square, () => runGemm(square, algo, a, b, m, k, n)));
    results.push(await observe(square, () => runQkt(square, seededUniform(3, 23 * 16), seededUniform(4, 41 * 16), 23, 16, 41)));
  } finally {
    await square.close();
  }
  const wide = await Fabric.start({ machine, mesh: { rows: 4, cols: 6 }, threads: 3, sramUnlimited: true, ...extra });
  try {
    const x = seededUniform(5, 75);
    const w = seededUniform(6, 75 * 61);
    for (const strategy of ['ktree', 'pipeline', 'ring'] as const) {
      for (const axis of ['x', 'y'] as const) results.push(await observe(wide, () => runGemv(wide, x, w, 75, 61, { axis, strategy })));
    }
    const vectors = Array.from({ length: 24 }, (_, i) => seededUniform(10 + i, 9));
    for (const op of ['sum', 'max'] as const) {
      results.push(await observe(wide, async () => {
        const r = await runAllreduce(wide, vectors, { axis: 'x', strategy: 'ktree', op });
        return { out: r.results, report: r.report };
      }));
    }
  } finally {
    await wide.close();
  }
  return results;
}

async function programs(extra: Extra) {
  const f = await Fabric.start({ machine: preset('dev'), mesh: { rows: 6, cols: 5 }, threads: 3, ...extra });
  const out: unknown[] = [];
  try {
    for (const [name, args] of [['pingPong', { rounds: 6, words: 5 }], ['rowShift', { words: 3 }], ['rowBroadcast', { words: 4 }], ['contended', { words: 9 }], ['neighbourExchange', { rounds: 3, words: 300 }], ['streamChain', { words: 6 }]] as const) {
      const report = await f.run(testingProgram(name), args);
      const results = (await f.gather('result')).map((r) => (r ? Array.from(r) : null));
      out.push({ name, cycles: report.modeledCycles, messages: report.messages, results, counters: await f.counters() });
      await f.free('result');
    }
  } finally {
    await f.close();
  }
  return out;
}

describe('tile hosts are bit-identical to one process', () => {
  let baseKernels: unknown[];
  let basePrograms: unknown[];
  beforeAll(async () => {
    baseKernels = await kernels({ threads: 3 });
    basePrograms = await programs({ threads: 3 });
  }, 120_000);

  const configs: [string, () => Extra][] = [
    ['2 hosts, bands of columns', () => ({ hosts: { addresses: hosts.addresses.slice(0, 2), split: 'columns' } })],
    ['2 hosts, bands of rows', () => ({ hosts: { addresses: hosts.addresses.slice(1, 3), split: 'rows' } })],
    ['3 hosts, bands of columns', () => ({ hosts: { addresses: hosts.addresses, split: 'columns' } })],
    ['3 hosts, bands of rows, random frame sizes and delays', () => ({ hosts: { addresses: hosts.addresses, split: 'rows', chaosSeed: 42, batchBytes: 4096 } })],
  ];
  for (const [name, extra] of configs) {
    it(`${name}: every kernel and the test programs`, async () => {
      const k = await kernels(extra());
      expect(k).toEqual(baseKernels);
      const p = await programs(extra());
      expect(p).toEqual(basePrograms);
    }, 120_000);
  }

  it('a stream of 2.4 MB over one link (ten times its credit): nothing lost, duplicated or reordered', async () => {
    const count = 300;
    for (const chaosSeed of [undefined, 7]) {
      const f = await Fabric.start({ machine: preset('dev'), mesh: { rows: 1, cols: 2 }, threads: 1, hosts: { addresses: hosts.addresses.slice(0, 2), chaosSeed } });
      try {
        const r = await f.run(testingProgram('burst'), { count, words: 2000 });
        expect(r.crossHost?.messages).toBe(count);
        expect(r.crossHost!.bytes).toBeGreaterThan(count * 2000 * 4);
        // (1,0) keeps the sum of the sequence numbers it received and how many came in sequence
        expect(Array.from((await f.gather('result'))[1]!)).toEqual([(count * (count - 1)) / 2, count]);
      } finally {
        await f.close();
      }
    }
  });

  it("a fabric on hosts holds no thread of this process, and closing it twice at once closes it once", async () => {
    const f = await Fabric.start({ machine: preset('dev'), mesh: { rows: 2, cols: 2 }, threads: 1, hosts: { addresses: hosts.addresses.slice(0, 2) } });
    await f.run(testingProgram('rowShift'), { words: 4 });
    expect(f.liveThreads).toBe(f.threads); // the hosts' threads, one tile each
    expect(liveFabricThreads()).toBe(0);
    await Promise.all([f.close(), f.close()]);
    expect(f.liveThreads).toBe(0);
  });

  it('messages really crossed between hosts', async () => {
    const f = await Fabric.start({ machine: preset('dev'), mesh: { rows: 6, cols: 5 }, threads: 1, hosts: { addresses: hosts.addresses, split: 'rows' } });
    try {
      const r = await f.run(testingProgram('neighbourExchange'), { rounds: 3, words: 300 });
      // 5 columns × 2 band boundaries × 2 directions × 3 rounds
      expect(r.crossHost?.messages).toBe(60);
      expect(r.crossHost!.bytes).toBeGreaterThan(60 * 300 * 4);
    } finally {
      await f.close();
    }
  });
});
