// A full queue answers 429 with Retry-After (the openai client raises RateLimitError); the queued request
// still completes.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startTestServer, waitFor, type TestServer } from './helpers/serve.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ maxQueue: 1 });
});
afterAll(() => t?.close());

const health = async () => (await (await fetch(`${t.server.url}/health`)).json()).queue as { waiting: number; running: number; max: number };

describe('a full queue', () => {
  it('answers 429 with Retry-After while one request runs and one waits', async () => {
    const abortA = new AbortController();
    const a = fetch(`${t.baseURL}/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: 'Once upon a time', max_tokens: 250, temperature: 0 }), signal: abortA.signal }).catch((e: Error) => e);
    await waitFor(async () => (await health()).running === 1);
    const b = postJson(`${t.baseURL}/completions`, { prompt: 'Lily', max_tokens: 4 });
    await waitFor(async () => (await health()).waiting === 1);
    expect(await health()).toEqual({ waiting: 1, running: 1, max: 1 });

    const c = await postJson(`${t.baseURL}/completions`, { prompt: 'Ben', max_tokens: 4 });
    expect(c.status).toBe(429);
    expect(Number(c.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(c.json.error).toMatchObject({ type: 'rate_limit_error', code: 'queue_full' });
    expect(c.json.error.message).toMatch(/queue is full \(1 of 1 requests waiting\)/);
    const client = new OpenAI({ baseURL: t.baseURL, apiKey: 'unused', maxRetries: 0 });
    await expect(client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 2 })).rejects.toBeInstanceOf(OpenAI.RateLimitError);

    abortA.abort();
    expect(await a).toBeInstanceOf(Error);
    const done = await b;
    expect(done.status).toBe(200);
    expect(done.json.usage.completion_tokens).toBe(4);
  });
});
