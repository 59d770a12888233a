// A bounded load run with autocannon on 127.0.0.1 (200 requests, 8 connections at up to 60 requests/s, 4 new
// tokens each, a queue of 4): every request ends as 200 with text or 429, none is lost, duplicated or hung,
// /health answers throughout, and the heap is flat afterwards. Prints the wall and modeled percentiles.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs module shared with `pnpm bench serve`
import { latencyRows, latencyTable, runLoad } from '../scripts/lib/serve-load.mjs';
import { metricValue, startTestServer, type TestServer } from './helpers/serve.js';

setFlagsFromString('--expose-gc');
const gc: () => void = runInNewContext('gc');

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ maxQueue: 4 });
});
afterAll(() => t?.close());

const BODY = { prompt: 'Once', max_tokens: 4 };

interface LoadRecord {
  status: number;
  json: any;
}

/** Heap bytes in use after two full collections. */
function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const completed200 = async () => metricValue(await (await fetch(`${t.server.url}/metrics`)).text(), 'wafer_requests_total{route="/v1/completions",status="200"}');

/** One load run with every check on its responses; returns only a summary line (the records are dropped). */
async function checkedLoad(amount: number): Promise<string> {
  const before = await completed200();
  const { result, records, health } = await runLoad({ url: t.server.url, body: BODY, amount, connections: 8, overallRate: 60, timeoutS: 30 });
  expect(result.errors).toBe(0);
  expect(result.timeouts).toBe(0);
  expect(records).toHaveLength(amount);
  const ok = (records as LoadRecord[]).filter((r) => r.status === 200);
  const refused = (records as LoadRecord[]).filter((r) => r.status === 429);
  expect(ok.length + refused.length).toBe(amount);
  expect(ok.length).toBeGreaterThan(0);
  for (const r of ok) {
    expect(r.json.choices[0].text.length).toBeGreaterThan(0);
    expect(r.json.usage.completion_tokens).toBe(BODY.max_tokens);
  }
  for (const r of refused) expect(r.json.error.code).toBe('queue_full');
  expect(new Set(ok.map((r) => r.json.id)).size).toBe(ok.length); // none duplicated
  expect((await completed200()) - before).toBe(ok.length); // none lost: the server answered each once
  expect(health.failed).toEqual([]);
  expect(health.ok).toBeGreaterThan(3);
  expect(t.server.queue.depth).toBe(0);
  expect(t.server.queue.busy).toBe(false);
  expect(t.mesh.steps).toHaveLength(0);
  return `${ok.length} × 200, ${refused.length} × 429 in ${result.duration.toFixed(1)} s\n${latencyTable(latencyRows(records))}`;
}

describe('wafer serve under load', () => {
  it('200 requests over 8 connections: each is a 200 with text or a 429, once; /health answers; memory is flat', async () => {
    await checkedLoad(40); // warm-up: JIT, connection pools, metric label sets
    const heapBefore = heapAfterGc();
    const summary = await checkedLoad(200);
    const growth = heapAfterGc() - heapBefore;
    console.log(`${summary}\nheap growth after 200 requests: ${(growth / 1024).toFixed(0)} KiB`);
    expect(growth).toBeLessThan(200 * 8 * 1024); // under 8 KiB per request (a leak of each run's logits was 18)
  });
});
