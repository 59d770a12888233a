// `wafer run --json` and the text stream from the bundled model: exact greedy ids from llama2.c's reference.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { wafer } from './helpers/cli.js';

const golden = JSON.parse(readFileSync(new URL('./golden/stories260K-greedy.json', import.meta.url), 'utf8'));

/** Whether this system reports threads' scheduler statistics (what --profile-wall's run-queue column needs). */
function schedstatReported(): boolean {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[2]) > 0;
  } catch {
    return false;
  }
}

describe('wafer run', () => {
  it('--json prints exactly one object with the reference greedy tokens', async () => {
    const c = golden.cases.find((k: { prompt: string; n: number }) => k.prompt === 'Once upon a time' && k.n === 64);
    const newTokens = c.generated_tokens.length;
    const r = await wafer('run', '-p', c.prompt, '-n', String(newTokens), '--temp', '0', '--engine', 'reference', '--json');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]);
    expect(out.engine).toBe('reference');
    expect(out.mesh).toBeUndefined();
    expect(out.prompt_tokens).toEqual(c.prompt_tokens);
    expect(out.tokens).toEqual(c.generated_tokens);
    expect(out.stop).toBe('length');
    expect(c.prompt + out.text).toBe(c.stdout.replace(/\n$/, ''));
    expect(out.wall.ttft_s).toBeGreaterThan(0);
    expect(out.wall.decode_tok_s).toBeGreaterThan(0);
  });

  it('--profile-wall splits each thread\'s run time, and on Linux its time waiting for a CPU and asleep', async () => {
    const c = golden.cases.find((k: { prompt: string; n: number }) => k.prompt === 'Once upon a time' && k.n === 64);
    const r = await wafer('run', '-p', c.prompt, '-n', '8', '--temp', '0', '--threads', '2', '--profile-wall', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.tokens).toEqual(c.generated_tokens.slice(0, 8)); // profiling changes no token
    const threads = out.wall_profile.threads;
    expect(threads).toHaveLength(2);
    const schedstat = schedstatReported();
    for (const t of threads) {
      expect(t.run_ms).toBeGreaterThan(0);
      // Asleep is the part of the waits after the spin; the run is on a CPU, waiting for one, or asleep.
      expect(t.asleep_ms).toBeGreaterThanOrEqual(0);
      expect(t.asleep_ms).toBeLessThanOrEqual(t.waiting_ms);
      if (schedstat) {
        expect(t.run_queue_ms).toBeGreaterThanOrEqual(0);
        expect(t.run_queue_ms + t.asleep_ms).toBeLessThanOrEqual(t.run_ms);
        expect(t.on_cpu_ms).toBeCloseTo(t.run_ms - t.asleep_ms - t.run_queue_ms, 6);
      } else {
        expect(t.run_queue_ms).toBeNull();
      }
    }
    const text = await wafer('run', '-p', c.prompt, '-n', '4', '--threads', '2', '--profile-wall');
    expect(text.stderr).toContain('| thread | run ms | local kernels | waiting for other threads |');
    expect(text.stderr).toContain(schedstat ? '| thread | run ms | on a CPU | ready, waiting for a CPU | asleep on its doorbell |' : 'time waiting for a CPU: not reported');
  });

  it('options may come before the command', async () => {
    const c = golden.cases.find((k: { prompt: string; n: number }) => k.prompt === 'Once upon a time' && k.n === 64);
    const r = await wafer('-p', c.prompt, '--temp', '0', 'run', '-n', '4', '--engine', 'reference', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).tokens).toEqual(c.generated_tokens.slice(0, 4));
    // Even an option's value that names another command: yargs runs `run` with the prompt "inspect".
    const odd = await wafer('-p', 'inspect', 'run', '-n', '2', '--engine', 'reference', '--json');
    expect(odd.code).toBe(0);
    expect(JSON.parse(odd.stdout).prompt_tokens.length).toBeGreaterThan(1);
  });

  it('the default mesh engine prints the same tokens plus the modeled report', async () => {
    const c = golden.cases.find((k: { prompt: string; n: number }) => k.prompt === 'Lily and Ben' && k.n === 64);
    const r = await wafer('run', '-p', c.prompt, '-n', String(c.generated_tokens.length), '--temp', '0', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.engine).toBe('mesh');
    expect(out.tokens).toEqual(c.generated_tokens);
    expect(out.mesh).toEqual({ rows: 8, cols: 8 });
    expect(out.threads).toBe(2);
    expect(out.machine).toBe('wse2');
    expect(out.modeled.prefill_cycles).toBeGreaterThan(0);
    expect(out.modeled.decode_cycles_per_token).toBeGreaterThan(0);
    expect(out.modeled.decode_tok_s).toBeCloseTo(1.1e9 / out.modeled.decode_cycles_per_token, 6);
    expect(out.modeled.ttft_s).toBeCloseTo(out.modeled.prefill_cycles / 1.1e9, 12);
    expect(out.sram.peak_bytes_per_core).toBeLessThanOrEqual(out.sram.budget_bytes_per_core);
  });

  it('streams the prompt and the generated text to stdout, the report to stderr', async () => {
    const c = golden.cases.find((k: { prompt: string; n: number }) => k.prompt === 'The cat sat' && k.n === 256);
    const r = await wafer('run', '-p', c.prompt, '-n', '300', '--temp', '0');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(c.stdout); // run.c stops on BOS; so do we
    expect(r.stderr).toContain('stop: bos');
  });

  it('the same seed gives the same sampled text; another seed differs', async () => {
    const a = JSON.parse((await wafer('run', '-n', '40', '--seed', '7', '--json')).stdout);
    const b = JSON.parse((await wafer('run', '-n', '40', '--seed', '7', '--json')).stdout);
    const c = JSON.parse((await wafer('run', '-n', '40', '--seed', '8', '--json')).stdout);
    expect(b.tokens).toEqual(a.tokens);
    expect(c.tokens).not.toEqual(a.tokens);
  });
});
