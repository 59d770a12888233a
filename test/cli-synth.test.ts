// `wafer synth` through the real CLI: one small shape written as .bin (tokenizer copied beside it) and as a
// self-contained .gguf (tokenizer embedded) runs with `wafer run` to the same tokens; bad flags are usage errors.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { wafer } from './helpers/cli.js';

const SHAPE = ['--dim', '64', '--hidden', '172', '--layers', '2', '--heads', '8', '--kv-heads', '4', '--vocab', '512', '--seq', '128'];
const tmp = mkdtempSync(join(tmpdir(), 'wafer-cli-synth-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('wafer synth', () => {
  it('writes .bin and .gguf of one shape that `wafer run` reads to the same tokens', async () => {
    // separate folders: the .gguf must find its vocabulary inside itself, not in a tok512.bin beside it
    const binPath = join(tmp, 'bin', 'tiny.bin');
    const ggufPath = join(tmp, 'gguf', 'tiny.gguf');
    mkdirSync(join(tmp, 'bin'));
    mkdirSync(join(tmp, 'gguf'));

    const bin = await wafer('synth', ...SHAPE, '--seed', '3', '-o', binPath);
    expect(bin.code, bin.stderr).toBe(0);
    expect(bin.stderr).toContain(`tokenizer ${join(tmp, 'bin', 'tok512.bin')}`);
    expect(existsSync(join(tmp, 'bin', 'tok512.bin'))).toBe(true);

    const gguf = await wafer('synth', ...SHAPE, '--seed', '3', '-o', ggufPath);
    expect(gguf.code, gguf.stderr).toBe(0);
    expect(gguf.stderr).toMatch(/tokenizer embedded from .*models\/stories260K\/tok512\.bin/);
    expect(readdirSync(join(tmp, 'gguf'))).toEqual(['tiny.gguf']);

    // default sampling (temperature 1, seed 42): equal tokens need bit-equal logits, which F32 in both formats gives
    const run = async (model: string) => {
      const r = await wafer('run', '-m', model, '-p', 'Once upon a time', '-n', '8', '--json');
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout);
    };
    const fromBin = await run(binPath);
    const fromGguf = await run(ggufPath);
    expect([fromBin.format, fromGguf.format]).toEqual(['llama2c', 'gguf']);
    expect(fromBin.prompt_tokens).toEqual([1, 403, 407, 261, 378]); // tok512's ids, as in the golden files
    expect(fromGguf.prompt_tokens).toEqual(fromBin.prompt_tokens);
    expect(fromBin.tokens).toHaveLength(8);
    expect(fromGguf.tokens).toEqual(fromBin.tokens);
    expect(fromGguf.text).toBe(fromBin.text);
  });

  it('a partial shape is a usage error: exit 2, one line naming the missing flags, no file written', async () => {
    const out = join(tmp, 'partial.bin');
    const r = await wafer('synth', '--dim', '64', '--hidden', '172', '-o', out);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/missing --layers, --heads, --kv-heads, --vocab, --seq/);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });
});
