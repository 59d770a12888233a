// Modeled clocks against hand-computed expectations on the `dev` preset:
// α = 1 cycle/hop, one word per cycle, streaming relay β = 2, store-and-forward 10 + 1/element.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fabric, testingProgram } from '@wafer/fabric';
import { preset } from '../../../test/helpers/machines.js';

describe('modeled time', () => {
  let fabric: Fabric;
  beforeAll(async () => {
    fabric = await Fabric.start({ machine: preset('dev'), mesh: { rows: 3, cols: 6 }, threads: 2 });
  });
  afterAll(async () => fabric.close());

  it('one message over h hops arrives at α·h + n', async () => {
    // Column 0 multicasts 4 words along a row of 6: the farthest core (5 hops) is done at 5 + 4 = 9.
    const r = await fabric.run(testingProgram('rowBroadcast'), { words: 4 });
    expect(r.modeledCycles).toBe(5 * 1 + 4);
    const c = await fabric.counters();
    expect(c.clock[1]).toBe(1 + 4); // core (1,0): one hop
    expect(c.clock[3]).toBe(3 + 4);
    expect(r.maxHopsPerTransfer).toBe(5);
  });

  it('a store-and-forward relay chain pays α + n per hop and 10 + n per relay', async () => {
    const n = 8;
    const r = await fabric.run(testingProgram('relayChain'), { words: n });
    // core 1 has the message at 1 + n; each relay adds 10 + n, then the next hop 1 + n.
    const perStage = 1 + n + 10 + n;
    expect(r.modeledCycles).toBe(1 + n + 4 * perStage);
  });

  it('a streaming reduce chain pays α + β per relay and n once', async () => {
    const n = 16;
    const r = await fabric.run(testingProgram('streamChain'), { words: n });
    // Relay k (x = 1..4) starts sending at 3k (head + β, α = 1, β = 2); the last core gets the tail at 3·4 + 1 + n.
    expect(r.modeledCycles).toBe(4 * (1 + 2) + 1 + n);
    expect(Array.from((await fabric.gather('result'))[5]!)).toEqual(new Array(n).fill(21));
  });

  it('two messages contending for one core-bound link are serialised', async () => {
    const n = 10;
    const r = await fabric.run(testingProgram('contended'), { words: n });
    // Both heads arrive at cycle 1; the router-to-core link delivers the west one by 1 + n, the east one by 1 + 2n.
    expect(r.modeledCycles).toBe(1 + 2 * n);
    const c = await fabric.counters();
    expect(c.waitCycles[1]).toBe(1 + 2 * n);
    expect(c.linkWords[0 * 4 + 1]).toBe(n); // link(0,0)->E
    expect(c.linkWords[2 * 4 + 3]).toBe(n); // link(2,0)->W
  });

  it("counts each link of the route each message took, when a core's route on a colour changes", async () => {
    await fabric.run(testingProgram('routeChanges'), { words: [3, 2, 4] });
    const c = await fabric.counters();
    const east = (x: number) => x * 4 + 1; // link(x,0)->E
    expect([0, 1, 2, 3].map((x) => c.linkMessages[east(x)])).toEqual([3, 1, 1, 0]);
    expect([0, 1, 2, 3].map((x) => c.linkWords[east(x)])).toEqual([9, 2, 2, 0]);
    expect([0, 1, 2, 3].map((x) => c.linkBusyCycles[east(x)])).toEqual([9, 2, 2, 0]); // dev: one value per cycle
    // A run that reads no counters leaves nothing behind for the next one.
    await fabric.run(testingProgram('routeChanges'), { words: [1, 1, 1] });
    await fabric.run(testingProgram('routeChanges'), { words: [5, 6, 7] });
    const d = await fabric.counters();
    expect([0, 1, 2, 3].map((x) => d.linkWords[east(x)])).toEqual([18, 6, 6, 0]);
  });

  it('ping-pong: each leg is α + n, plus the element-wise add', async () => {
    const n = 5;
    const rounds = 4;
    const r = await fabric.run(testingProgram('pingPong'), { rounds, words: n });
    expect(r.modeledCycles).toBe(rounds * (2 * (1 + n) + n));
    expect(Array.from((await fabric.gather('result'))[0]!)).toEqual(new Array(n).fill(1 + rounds));
  });
});
