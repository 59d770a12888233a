// `wafer serve` through the official openai client: completions and chat, streamed and not. Greedy text,
// token counts and modeled cycles equal `wafer run --temp 0 --json` on the same mesh; x_wafer is present.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainChatPrompt } from '@wafer/serve';
import { wafer } from './helpers/cli.js';
import { loadModel } from '@wafer/llama';
import { MODELS } from './helpers/golden.js';
import { SERVE_MESH_FLAGS, startTestServer, type TestServer } from './helpers/serve.js';

let t: TestServer;
let client: OpenAI;
beforeAll(async () => {
  t = await startTestServer();
  client = new OpenAI({ baseURL: t.baseURL, apiKey: 'unused', maxRetries: 0 });
});
afterAll(() => t?.close());

/** `wafer run --temp 0 --json` on the server's mesh. */
async function runGreedy(prompt: string, n: number) {
  const r = await wafer('run', '-p', prompt, '-n', String(n), '--temp', '0', '--json', ...SERVE_MESH_FLAGS);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

/** The x_wafer report every response carries (not part of the openai types). */
function xWafer(res: unknown): any {
  return (res as { x_wafer: unknown }).x_wafer;
}

describe('wafer serve with the openai client', () => {
  it('lists the model', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['stories260K']);
  });

  it('a greedy completion equals wafer run --temp 0, with usage and modeled figures to match', async () => {
    const run = await runGreedy('Once upon a time', 24);
    const res = await client.completions.create({ model: 'stories260K', prompt: 'Once upon a time', max_tokens: 24, temperature: 0 });
    expect(res.object).toBe('text_completion');
    expect(res.id).toMatch(/^cmpl-/);
    expect(res.choices[0].text).toBe(run.text);
    expect(res.choices[0].finish_reason).toBe('length');
    expect(res.usage).toEqual({ prompt_tokens: run.prompt_tokens.length, completion_tokens: run.tokens.length, total_tokens: run.prompt_tokens.length + run.tokens.length });
    const x = xWafer(res);
    expect(x.mesh).toEqual({ rows: 5, cols: 5 });
    expect(x.machine).toBe('wse2');
    expect(x.threads).toBe(1);
    expect(x.modeled.prefill_cycles).toBe(run.modeled.prefill_cycles);
    expect(x.modeled.decode_cycles_per_token).toBeCloseTo(run.modeled.decode_cycles_per_token, 9);
    expect(x.modeled.queue_s).toBe(0);
    expect(x.modeled.ttft_s).toBeCloseTo(run.modeled.ttft_s, 15);
    expect(x.modeled.decode_tok_s).toBeCloseTo(run.modeled.decode_tok_s, 6);
    expect(x.wall.ttft_s).toBeGreaterThan(0);
    expect(x.wall.decode_tok_s).toBeGreaterThan(0);
  });

  it('a streamed completion sends the same text in pieces, then finish_reason, x_wafer and usage', async () => {
    const run = await runGreedy('Lily and Ben', 16);
    const stream = await client.completions.create({ model: 'stories260K', prompt: 'Lily and Ben', max_tokens: 16, temperature: 0, stream: true, stream_options: { include_usage: true } });
    const pieces: string[] = [];
    const finishes: (string | null)[] = [];
    let last: unknown;
    let usage: unknown;
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      if (chunk.choices.length === 0) continue;
      pieces.push(chunk.choices[0].text);
      finishes.push(chunk.choices[0].finish_reason);
      last = chunk;
    }
    expect(pieces.join('')).toBe(run.text);
    expect(pieces.length).toBeGreaterThan(2);
    expect(finishes.filter((f) => f !== null)).toEqual(['length']);
    expect(xWafer(last).modeled.prefill_cycles).toBe(run.modeled.prefill_cycles);
    expect(usage).toEqual({ prompt_tokens: run.prompt_tokens.length, completion_tokens: 16, total_tokens: run.prompt_tokens.length + 16 });
  });

  it('chat, whole and streamed, answers the plain template prompt as wafer run does', async () => {
    const messages = [{ role: 'user' as const, content: 'Tell me about a cat.' }];
    const prompt = plainChatPrompt(messages);
    expect(prompt).toBe('User: Tell me about a cat.\nAssistant:');
    const run = await runGreedy(prompt, 12);
    const res = await client.chat.completions.create({ model: 'stories260K', messages, max_tokens: 12, temperature: 0 });
    expect(res.object).toBe('chat.completion');
    expect(res.choices[0].message).toMatchObject({ role: 'assistant', content: run.text });
    expect(res.usage?.prompt_tokens).toBe(run.prompt_tokens.length);
    expect(res.usage?.completion_tokens).toBe(run.tokens.length);
    expect(xWafer(res).modeled.ttft_s).toBeGreaterThan(0);

    const stream = await client.chat.completions.create({ model: 'stories260K', messages, max_tokens: 12, temperature: 0, stream: true });
    let text = '';
    let role: string | undefined;
    let finish: string | null = null;
    for await (const chunk of stream) {
      role ??= chunk.choices[0].delta.role;
      text += chunk.choices[0].delta.content ?? '';
      finish = chunk.choices[0].finish_reason ?? finish;
    }
    expect(role).toBe('assistant');
    expect(text).toBe(run.text);
    expect(finish).toBe('length');
  });

  it('a stop string ends the text before it with finish_reason "stop"; a seed repeats a sampled text', async () => {
    const full = await client.completions.create({ model: 'stories260K', prompt: 'Once upon a time', max_tokens: 24, temperature: 0 });
    const text = full.choices[0].text;
    const stop = text.slice(10, 14);
    const cut = await client.completions.create({ model: 'stories260K', prompt: 'Once upon a time', max_tokens: 24, temperature: 0, stop: [stop] });
    expect(cut.choices[0].text).toBe(text.slice(0, text.indexOf(stop)));
    expect(cut.choices[0].finish_reason).toBe('stop');
    const a = await client.completions.create({ model: 'stories260K', prompt: 'Once', max_tokens: 12, seed: 7 });
    const b = await client.completions.create({ model: 'stories260K', prompt: 'Once', max_tokens: 12, seed: 7 });
    expect(b.choices[0].text).toBe(a.choices[0].text);
  });

  it("a checkpoint's chat template formats the messages (Jinja), with BOS once", async () => {
    const chatTemplate = "{{ bos_token }}{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}{% if add_generation_prompt %}[assistant]{% endif %}";
    const templated = await startTestServer({ model: { ...loadModel(MODELS.bin), chatTemplate } });
    try {
      const c = new OpenAI({ baseURL: templated.baseURL, apiKey: 'unused', maxRetries: 0 });
      const messages = [{ role: 'system' as const, content: 'Short.' }, { role: 'user' as const, content: 'A dog?' }];
      const chat = await c.chat.completions.create({ model: 'm', messages, max_tokens: 6, temperature: 0 });
      const prompt = '[system] Short.\n[user] A dog?\n[assistant]';
      const completion = await c.completions.create({ model: 'm', prompt, max_tokens: 6, temperature: 0 });
      expect(chat.usage?.prompt_tokens).toBe(templated.tokenizer.encode(prompt, { bos: true }).length);
      expect(chat.usage?.prompt_tokens).toBe(completion.usage?.prompt_tokens);
      expect(chat.choices[0].message.content).toBe(completion.choices[0].text);
    } finally {
      await templated.close();
    }
  });
});
