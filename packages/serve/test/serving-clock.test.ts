// The modeled serving clock's rule: start = max(arrival, previous finish), FIFO, one request at a time.
import { describe, expect, it } from 'vitest';
import { ModeledServingClock } from '@wafer/serve';

const HZ = 1e9; // 1 cycle = 1 ns

describe('ModeledServingClock', () => {
  it('two requests arriving together: the second waits exactly the first one\'s service time', () => {
    const clock = new ModeledServingClock(HZ, 5_000);
    const a = clock.start(clock.arrivalOf(5_000));
    expect(a).toEqual({ arrivalS: 0, startS: 0, queueS: 0 });
    expect(clock.finish(a, 300_000)).toBeCloseTo(300e-6, 15);
    const b = clock.start(clock.arrivalOf(5_000));
    expect(b.queueS).toBeCloseTo(300e-6, 15);
    expect(clock.finish(b, 200_000)).toBeCloseTo(500e-6, 15);
  });

  it('a request arriving after the chip is free does not wait; wall milliseconds map to modeled seconds', () => {
    const clock = new ModeledServingClock(HZ, 1_000);
    const a = clock.start(clock.arrivalOf(1_000));
    clock.finish(a, 1_000_000); // busy until 1 ms
    const b = clock.start(clock.arrivalOf(1_002)); // arrives at 2 ms
    expect(b).toEqual({ arrivalS: 0.002, startS: 0.002, queueS: 0 });
    clock.finish(b, 5_000_000); // busy until 7 ms
    const c = clock.start(clock.arrivalOf(1_003)); // arrives at 3 ms, waits 4 ms
    expect(c.startS).toBeCloseTo(0.007, 15);
    expect(c.queueS).toBeCloseTo(0.004, 15);
  });

  it('an arrival scale replays the wall arrival pattern faster: 1 wall ms is 1 modeled µs at scale 0.001', () => {
    const clock = new ModeledServingClock(HZ, 1_000, 0.001);
    const a = clock.start(clock.arrivalOf(1_000));
    clock.finish(a, 5_000); // busy 5 µs
    const b = clock.start(clock.arrivalOf(1_002)); // 2 wall ms later: modeled 2 µs, waits 3 µs
    expect(b.arrivalS).toBeCloseTo(2e-6, 15);
    expect(b.queueS).toBeCloseTo(3e-6, 15);
  });

  it('arrivals before the origin count as arriving at modeled time 0', () => {
    const clock = new ModeledServingClock(HZ, 1_000);
    expect(clock.arrivalOf(900)).toBe(0);
  });
});
