// The modeled serving clock end to end: with the wall clock pinned, two requests arrive at the same
// modeled instant; the second's modeled queue wait is exactly the first's modeled service time, and its
// modeled time to first token is that wait plus its own prefill.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startTestServer, type TestServer } from './helpers/serve.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ nowMs: () => 1_000 }); // every arrival maps to modeled time 0
});
afterAll(() => t?.close());

describe('modeled queueing', () => {
  it('two requests arriving together: the second waits for the first on the modeled chip', async () => {
    const body = { prompt: 'Once upon a time', max_tokens: 8, temperature: 0 };
    const [a, b] = await Promise.all([postJson(`${t.baseURL}/completions`, body), postJson(`${t.baseURL}/completions`, body)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const [first, second] = [a.json.x_wafer.modeled, b.json.x_wafer.modeled].sort((p, q) => p.queue_s - q.queue_s);
    const hz = 1.1e9; // wse2
    expect(first.arrival_s).toBe(0);
    expect(second.arrival_s).toBe(0);
    expect(first.queue_s).toBe(0);
    expect(first.service_s).toBeCloseTo((first.prefill_cycles + first.decode_cycles) / hz, 15);
    expect(second.queue_s).toBeCloseTo(first.service_s, 15);
    expect(second.ttft_s).toBeCloseTo(first.service_s + second.prefill_cycles / hz, 15);
    expect(second.finish_s).toBeCloseTo(first.service_s + second.service_s, 15);
    // Same prompt, greedy: the same modeled work, so the second's TTFT is the first's service plus its own TTFT.
    expect(second.prefill_cycles).toBe(first.prefill_cycles);
    expect(second.ttft_s).toBeCloseTo(first.service_s + first.ttft_s, 15);
    expect(b.json.choices[0].text).toBe(a.json.choices[0].text);
  });
});
