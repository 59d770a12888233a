// A client that disconnects cancels its generation: a running one stops at its next token and frees the
// mesh (the next request runs, with the same greedy text as before), a waiting one leaves the queue.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, postJson, startTestServer, waitFor, type TestServer } from './helpers/serve.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t?.close());

// Greedy "Once upon a time" runs 252 tokens before stopping (test/golden), so 250 is always a long run.
const LONG = { prompt: 'Once upon a time', max_tokens: 250, temperature: 0 };
const SHORT = { prompt: 'Once upon a time', max_tokens: 8, temperature: 0 };

const metrics = async () => (await fetch(`${t.server.url}/metrics`)).text();
const health = async () => (await (await fetch(`${t.server.url}/health`)).json()).queue as { waiting: number; running: number };
const idle = async () => {
  const q = await health();
  return q.waiting === 0 && q.running === 0;
};

describe('client disconnects', () => {
  it('a streamed generation stops when its client goes away, and the mesh serves the next request', async () => {
    const before = await postJson(`${t.baseURL}/completions`, SHORT);
    const abort = new AbortController();
    const res = await fetch(`${t.baseURL}/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...LONG, stream: true }), signal: abort.signal });
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toMatch(/^data: \{/);
    abort.abort();
    await waitFor(idle);
    const text = await metrics();
    expect(metricValue(text, 'wafer_generations_cancelled_total')).toBe(1);
    expect(metricValue(text, 'wafer_requests_total{route="/v1/completions",status="cancelled"}')).toBe(1);
    expect(metricValue(text, 'wafer_completion_tokens_total')).toBeLessThan(SHORT.max_tokens + LONG.max_tokens);
    const after = await postJson(`${t.baseURL}/completions`, SHORT);
    expect(after.json.choices[0].text).toBe(before.json.choices[0].text);
    expect(after.json.x_wafer.modeled.prefill_cycles).toBe(before.json.x_wafer.modeled.prefill_cycles);
  });

  it('a waiting request whose client goes away leaves the queue at once; the running one is cancelled too', async () => {
    const cancelledBefore = metricValue(await metrics(), 'wafer_generations_cancelled_total');
    const abortA = new AbortController();
    const a = fetch(`${t.baseURL}/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(LONG), signal: abortA.signal }).catch((e: Error) => e);
    await waitFor(async () => (await health()).running === 1);
    const abortB = new AbortController();
    const b = fetch(`${t.baseURL}/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(SHORT), signal: abortB.signal }).catch((e: Error) => e);
    await waitFor(async () => (await health()).waiting === 1);
    abortB.abort();
    await waitFor(async () => (await health()).waiting === 0);
    expect((await health()).running).toBe(1); // A still runs
    abortA.abort();
    await waitFor(idle);
    expect(await a).toBeInstanceOf(Error);
    expect(await b).toBeInstanceOf(Error);
    const text = await metrics();
    expect(metricValue(text, 'wafer_generations_cancelled_total')).toBe(cancelledBefore + 1); // B never ran
    expect(metricValue(text, 'wafer_requests_total{route="/v1/completions",status="cancelled"}')).toBe(3);
    expect(t.mesh.steps).toHaveLength(0); // the per-run records are dropped after each request
  });
});
