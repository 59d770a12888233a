// Requests wafer serve refuses, each with an OpenAI-style error object: malformed JSON and wrong types
// (400 naming the field), a body that is not JSON (415), max_tokens beyond the context (400 naming the limit), a body over 1 MB (413),
// unknown routes (404), and a missing or wrong API key (401) on /v1 routes only.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startTestServer, type TestServer } from './helpers/serve.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ apiKey: 'sekrit-key' });
});
afterAll(() => t?.close());

const AUTH = { authorization: 'Bearer sekrit-key' };

/** Asserts an OpenAI error body. */
function expectError(json: any, type: string, message: RegExp, param?: string): void {
  expect(json.error.type).toBe(type);
  expect(json.error.message).toMatch(message);
  if (param !== undefined) expect(json.error.param).toBe(param);
}

describe('wafer serve refuses bad requests', () => {
  it('401 without the API key or with a wrong one, on /v1 only; the openai client raises AuthenticationError', async () => {
    const none = await postJson(`${t.baseURL}/completions`, { prompt: 'x', max_tokens: 1 });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expectError(none.json, 'invalid_request_error', /API key/);
    const wrong = await postJson(`${t.baseURL}/completions`, { prompt: 'x', max_tokens: 1 }, { authorization: 'Bearer sekrit-kez' });
    expect(wrong.status).toBe(401);
    const prefix = await postJson(`${t.baseURL}/completions`, { prompt: 'x', max_tokens: 1 }, { authorization: 'Bearer sekrit' });
    expect(prefix.status).toBe(401);
    expect((await fetch(`${t.baseURL}/models`)).status).toBe(401);
    expect((await fetch(`${t.server.url}/%761/models`)).status).toBe(401); // an encoded path is the same route
    expect((await fetch(`${t.server.url}/health`)).status).toBe(200);
    await expect(new OpenAI({ baseURL: t.baseURL, apiKey: 'nope', maxRetries: 0 }).models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const ok = await new OpenAI({ baseURL: t.baseURL, apiKey: 'sekrit-key', maxRetries: 0 }).completions.create({ model: 'm', prompt: 'Once', max_tokens: 2 });
    expect(ok.usage?.completion_tokens).toBe(2);
  });

  it('400 for malformed JSON and for wrong types, naming the field', async () => {
    const broken = await postJson(`${t.baseURL}/completions`, '{"prompt": "Once", ', AUTH);
    expect(broken.status).toBe(400);
    expectError(broken.json, 'invalid_request_error', /not valid JSON/);
    const cases: [unknown, string, RegExp][] = [
      [{ prompt: 'Once', max_tokens: '5' }, 'max_tokens', /max_tokens must be integer/],
      [{ prompt: 5 }, 'prompt', /prompt must be string/],
      [{ max_tokens: 5 }, 'prompt', /prompt is required/],
      [{ prompt: 'x', temperature: 3 }, 'temperature', /temperature must be <= 2/],
      [{ prompt: 'x', top_p: 0 }, 'top_p', /top_p must be > 0/],
      [{ prompt: 'x', seed: 0 }, 'seed', /seed must be >= 1/],
      [{ prompt: 'x', stream: 'yes' }, 'stream', /stream must be boolean/],
      [{ prompt: 'x', n: 2 }, 'n', /n must be <= 1/],
      [{ prompt: 'x', stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop', /stop must be string or must NOT have more than 4 items/],
      [[1, 2], '', /the body must be a JSON object/],
    ];
    for (const [body, param, message] of cases) {
      const r = await postJson(`${t.baseURL}/completions`, body, AUTH);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expectError(r.json, 'invalid_request_error', message, param === '' ? undefined : param);
    }
    const text = await fetch(`${t.baseURL}/completions`, { method: 'POST', headers: { ...AUTH, 'content-type': 'text/plain' }, body: 'Once' });
    expect(text.status).toBe(415);
    expectError(await text.json(), 'invalid_request_error', /content-type: application\/json/);
    const chat = await postJson(`${t.baseURL}/chat/completions`, { messages: [{ role: 'robot', content: 'hi' }] }, AUTH);
    expect(chat.status).toBe(400);
    expectError(chat.json, 'invalid_request_error', /messages\[0\]\.role must be equal to one of the allowed values/, 'messages[0].role');
    const penalty = await postJson(`${t.baseURL}/completions`, { prompt: 'x', frequency_penalty: 0.5 }, AUTH);
    expect(penalty.status).toBe(400);
    expectError(penalty.json, 'invalid_request_error', /frequency_penalty is not supported/, 'frequency_penalty');
  });

  it('400 when max_tokens goes beyond the context, naming the limit', async () => {
    const r = await postJson(`${t.baseURL}/completions`, { prompt: 'Once upon a time', max_tokens: 600 }, AUTH);
    expect(r.status).toBe(400);
    expectError(r.json, 'invalid_request_error', /max_tokens is 600, but the model's context of 512 tokens leaves 507 after the 5-token prompt/, 'max_tokens');
    expect(r.json.error.code).toBe('context_length_exceeded');
    const chat = await postJson(`${t.baseURL}/chat/completions`, { messages: [{ role: 'user', content: 'Hi' }], max_completion_tokens: 1000 }, AUTH);
    expect(chat.status).toBe(400);
    expectError(chat.json, 'invalid_request_error', /max_completion_tokens is 1000, but the model's context of 512 tokens/, 'max_completion_tokens');
    const long = await postJson(`${t.baseURL}/completions`, { prompt: 'Once upon a time '.repeat(200), max_tokens: 1 }, AUTH);
    expect(long.status).toBe(400);
    expectError(long.json, 'invalid_request_error', /the prompt has \d+ tokens but the model's context length is 512/, 'prompt');
  });

  it('413 for a body over 1 MB; 404 with an error object for an unknown route', async () => {
    const big = await postJson(`${t.baseURL}/completions`, { prompt: 'x'.repeat(1024 * 1024 + 1) }, AUTH);
    expect(big.status).toBe(413);
    expectError(big.json, 'invalid_request_error', /larger than 1,048,576 bytes/);
    const missing = await fetch(`${t.baseURL}/embeddings`, { method: 'POST', headers: AUTH });
    expect(missing.status).toBe(404);
    expectError(await missing.json(), 'not_found_error', /no route POST \/v1\/embeddings/);
  });
});
