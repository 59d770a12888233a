// The SAB ring channel: order, wrap-around, fragmentation, backpressure, and a million messages across threads.
import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { createRingBuffer, RingChannel, type WireMessage } from '@wafer/fabric';

function msg(i: number, len: number): WireMessage {
  const payload = new Float32Array(len);
  for (let k = 0; k < len; k++) payload[k] = i + k / 1024;
  return { dst: i % 1000, color: i % 32, hops: (i % 7) + 1, start: i * 1.5, payload };
}

describe('ring channel', () => {
  it('keeps order and content over random sizes with wrap-around', () => {
    const ring = new RingChannel(createRingBuffer(4096));
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) % 1000) / 1000;
    let next = 0;
    let expect_ = 0;
    for (let round = 0; round < 2000; round++) {
      const len = Math.floor(rand() * 200);
      const m = msg(next, len);
      let off = 0;
      let guard = 0;
      while (off < len || (len === 0 && guard === 0)) {
        const n = ring.tryWrite(m, off);
        guard++;
        if (n < 0) {
          // Full: drain everything complete, then continue writing the rest of this message.
          for (let r = ring.tryRead(); r !== null; r = ring.tryRead()) {
            expect(r.color).toBe(expect_ % 32);
            expect(r.payload).toEqual(msg(expect_, r.payload.length).payload);
            expect_++;
          }
          continue;
        }
        off += n;
        if (len === 0) break;
      }
      next++;
      if (rand() < 0.3) {
        for (let r = ring.tryRead(); r !== null; r = ring.tryRead()) {
          expect(r.start).toBe(expect_ * 1.5);
          expect(r.payload).toEqual(msg(expect_, r.payload.length).payload);
          expect_++;
        }
      }
    }
    for (let r = ring.tryRead(); r !== null; r = ring.tryRead()) expect_++;
    expect(expect_).toBe(next);
  });

  it('refuses a write when full and never overwrites unread data', () => {
    const ring = new RingChannel(createRingBuffer(512));
    let written = 0;
    while (ring.tryWrite(msg(written, 8)) >= 0) written++;
    expect(written).toBeGreaterThan(0);
    expect(ring.tryWrite(msg(written, 8))).toBe(-1);
    for (let i = 0; i < written; i++) expect(ring.tryRead()!.payload).toEqual(msg(i, 8).payload);
    expect(ring.tryRead()).toBeNull();
  });

  it('fragments a message larger than the ring and reassembles it', () => {
    const ring = new RingChannel(createRingBuffer(1024));
    const big = msg(3, 5000);
    let off = 0;
    let got: WireMessage | null = null;
    while (got === null) {
      const n = ring.tryWrite(big, off);
      if (n > 0) off += n;
      got = ring.tryRead();
    }
    expect(off).toBe(5000);
    expect(got.payload).toEqual(big.payload);
    expect(got.dst).toBe(big.dst);
  });

  it('carries one million messages between two threads with nothing lost, duplicated or reordered', async () => {
    const sab = createRingBuffer(64 * 1024);
    const ringUrl = new URL('../dist/ring.js', import.meta.url).href;
    const count = 1_000_000;
    const producer = new Worker(
      `const { RingChannel } = await import(${JSON.stringify(ringUrl)});
       const { workerData } = await import('node:worker_threads');
       const ring = new RingChannel(workerData.sab);
       const payload = new Float32Array(4);
       for (let i = 0; i < workerData.count; i++) {
         payload[0] = i; payload[1] = i % 13; payload[2] = -i; payload[3] = i & 255;
         ring.write({ dst: i % 65536, color: i % 32, hops: 1, start: i, payload: payload.subarray(0, 1 + (i % 4)) });
       }`,
      { eval: true, workerData: { sab, count } },
    );
    const ring = new RingChannel(sab);
    let i = 0;
    const deadline = Date.now() + 60_000;
    while (i < count && Date.now() < deadline) {
      const m = ring.tryRead();
      if (m === null) continue;
      if (m.start !== i || m.payload[0] !== i || m.payload.length !== 1 + (i % 4) || m.color !== i % 32) {
        throw new Error(`message ${i} arrived wrong: start ${m.start}, first ${m.payload[0]}`);
      }
      i++;
    }
    await new Promise((r) => producer.once('exit', r));
    expect(i).toBe(count);
    expect(ring.tryRead()).toBeNull();
  });
});
