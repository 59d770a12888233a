// `wafer synth` writes GGUF for the Llama 3 shapes (rope_freqs) and widens stories260K with --from; `wafer
// quantize` turns it into any block type; `wafer inspect` shows the types, their mix and the load peak; the
// quantised file runs; bad types and paths are one-line usage errors.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { wafer } from './helpers/cli.js';
import { MODELS } from './helpers/golden.js';

const tmp = mkdtempSync(join(tmpdir(), 'wafer-cli-quantize-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function expectOneLineError(r: { code: number; stdout: string; stderr: string }, code: number, ...parts: string[]): void {
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  for (const part of parts) expect(lines[0]).toContain(part);
}

describe('wafer synth and wafer quantize', () => {
  it('synth --shape llama-gqa-tiny -o x.gguf writes rope_freqs, which inspect shows', async () => {
    const out = join(tmp, 'tiny.gguf');
    const r = await wafer('synth', '--shape', 'llama-gqa-tiny', '-o', out);
    expect(r.code, r.stderr).toBe(0);
    const text = await wafer('inspect', out);
    expect(text.stdout).toContain('rope factors per pair [1, 1, 3.292, 32]');
    expect(text.stdout).toContain('types       F32: 21 F32'); // 20 weights and rope_freqs.weight
    const json = JSON.parse((await wafer('inspect', out, '--json')).stdout);
    expect(json.config.ropeFreqFactors).toHaveLength(4);
  });

  it('quantize: stories260K widened by synth --from, to Q6_K; inspect names the mix and the load peak; run generates', async () => {
    const f32 = join(tmp, 'pad.gguf');
    const q6 = join(tmp, 'pad-q6k.gguf');
    const synth = await wafer('synth', '--from', MODELS.bin, '--seed', '1', '-o', f32);
    expect(synth.code, synth.stderr).toBe(0);
    expect(synth.stderr).toContain('widened to dim 256, hidden 256 (head 32)');
    const q = await wafer('quantize', f32, q6, '--type', 'q6_k');
    expect(q.code, q.stderr).toBe(0);
    expect(q.stderr).toMatch(/wrote .*pad-q6k\.gguf: Q6_K: 36 Q6_K, 11 F32; 1,745,\d{3} bytes, 6\.65 bits per weight/);

    const info = JSON.parse((await wafer('inspect', q6, '--json')).stdout);
    expect(info.mix).toBe('Q6_K: 36 Q6_K, 11 F32');
    expect(info.tensors.find((t: { name: string }) => t.name === 'blk.0.attn_q')).toEqual({ name: 'blk.0.attn_q', shape: [256, 256], dtype: 'Q6_K' });
    expect(info.load_peak_bytes).toBeGreaterThan(4 * info.parameters);
    expect(info.tokenizer.vocab_size).toBe(512);

    const run = await wafer('run', '-m', q6, '--engine', 'reference', '-p', 'Once upon a time', '-n', '8', '--temp', '0', '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).tokens).toHaveLength(8);
  });

  it('quantize keeps rows that do not fit the type in llama.cpp\'s fallback: stories260K to Q4_K is Q5_0 and F16', async () => {
    const out = join(tmp, 's-q4k.gguf');
    const r = await wafer('quantize', MODELS.gguf, out, '--type', 'Q4_K');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Q5_0: 32 Q5_0, 11 F32, 5 F16'); // 64-wide rows (output.weight included) → Q5_0, ffn_down's 172-wide rows → F16
  });

  it('bad --type, OUT equal to IN, and a missing input are one-line errors', async () => {
    expectOneLineError(await wafer('quantize', MODELS.gguf, join(tmp, 'x.gguf'), '--type', 'Q9_K'), 2, '--type', 'Q4_K', 'IQ4_XS', 'Q9_K');
    expectOneLineError(await wafer('quantize', MODELS.gguf, MODELS.gguf, '--type', 'Q8_0'), 2, 'is the input checkpoint');
    expectOneLineError(await wafer('quantize', join(tmp, 'nope.gguf'), join(tmp, 'y.gguf'), '--type', 'Q8_0'), 1, 'nope.gguf');
    expectOneLineError(await wafer('synth', '--from', MODELS.bin, '--shape', 'stories260K', '-o', join(tmp, 'z.gguf')), 2, '--from excludes --shape');
  });
});
