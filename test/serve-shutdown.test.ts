// Graceful shutdown of `wafer serve` (a child process): SIGTERM stops accepting, answers the waiting request
// 503, lets the running one finish, closes the fabric and exits 0 on its own (no worker thread or socket
// left to keep it alive). With --shutdown-grace 0, SIGINT cancels the running request instead.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { postJson, waitFor } from './helpers/serve.js';

const CLI = fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url));
let child: ChildProcess | undefined;
afterEach(() => {
  if (child?.exitCode === null) child.kill('SIGKILL');
});

/** Starts `wafer serve` on a free port; resolves with its URL, its output so far, and its exit. */
async function serve(...args: string[]) {
  const proc = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--mesh', '5x5', '--threads', '1', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  const out = { stdout: '', stderr: '' };
  proc.stdout!.on('data', (d) => (out.stdout += d));
  proc.stderr!.on('data', (d) => (out.stderr += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  await waitFor(() => /serving \S+ on http:\/\//.test(out.stderr) || proc.exitCode !== null, 30_000);
  const url = /serving \S+ on (http:\/\/\S+)/.exec(out.stderr)?.[1];
  if (url === undefined) throw new Error(`wafer serve did not start: ${out.stderr}`);
  return { proc, url, out, exited };
}

/** Starts a streamed completion and resolves once its first event arrived; `rest` reads it to the end. */
async function startStream(url: string, body: object) {
  const res = await fetch(`${url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, stream: true }) });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = decoder.decode((await reader.read()).value);
  const rest = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return text;
      text += decoder.decode(value);
    }
  })();
  return { rest };
}

const health = async (url: string) => (await (await fetch(`${url}/health`)).json()).queue as { waiting: number; running: number };

describe('wafer serve shutdown', () => {
  it('SIGTERM: the running request finishes, the waiting one gets 503, exit code 0', async () => {
    const s = await serve();
    const running = await startStream(s.url, { prompt: 'Once upon a time', max_tokens: 80, temperature: 0, stream_options: { include_usage: true } });
    const waiting = postJson(`${s.url}/v1/completions`, { prompt: 'Lily', max_tokens: 4 });
    await waitFor(async () => (await health(s.url)).waiting === 1);
    s.proc.kill('SIGTERM');
    const events = (await running.rest).split('\n\n').filter((e) => e.startsWith('data: '));
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)));
    expect(chunks.at(-1).usage.completion_tokens).toBe(80);
    expect(chunks.some((c) => c.choices[0]?.finish_reason === 'length')).toBe(true);
    const refused = await waiting;
    expect(refused.status).toBe(503);
    expect(refused.json.error.code).toBe('shutting_down');
    expect(await s.exited).toBe(0);
    expect(s.out.stderr).toMatch(/SIGTERM: shutting down[\s\S]*\[wafer\] stopped/);
    expect(s.out.stdout).toBe('');
    await expect(fetch(`${s.url}/health`)).rejects.toThrow();
  });

  it('SIGINT with --shutdown-grace 0 cancels the running request and still exits 0', async () => {
    const s = await serve('--shutdown-grace', '0');
    const running = await startStream(s.url, { prompt: 'Once upon a time', max_tokens: 250, temperature: 0 });
    s.proc.kill('SIGINT');
    const events = (await running.rest).split('\n\n').filter((e) => e.startsWith('data: '));
    expect(events.at(-1)).toBe('data: [DONE]');
    expect(JSON.parse(events.at(-2)!.slice(6)).error.code).toBe('shutting_down');
    expect(events.length).toBeLessThan(250);
    expect(await s.exited).toBe(0);
  });
});
