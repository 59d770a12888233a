// `wafer run --prefill`: MeshGEMM by default on a square mesh for prompts of at least as many tokens as the
// mesh has rows, token by token for shorter ones, on request, or (with a note on stderr) where MeshGEMM cannot
// run; the same greedy tokens either way; bad values are usage errors.
import { describe, expect, it } from 'vitest';
import { wafer } from './helpers/cli.js';
import { GOLDEN } from './helpers/golden.js';

describe('wafer run --prefill', () => {
  const c = GOLDEN.find((k) => k.prompt === 'The cat sat' && k.n === 64)!;
  const run = (...extra: string[]) => wafer('run', '-p', c.prompt, '-n', String(c.generated_tokens.length), '--temp', '0', '--json', ...extra);

  it('a short prompt goes token by token by default on 8x8, silently', async () => {
    const r = await run();
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).modeled.prefill).toBe('decode');
    expect(r.stderr).toBe('');
  });

  it('meshgemm (the default on 4x4 for this prompt) and decode give the reference tokens and say which prefill ran', async () => {
    const batched = await run('--mesh', '4x4', '--machine', 'dev');
    const stepped = await run('--mesh', '4x4', '--machine', 'dev', '--prefill', 'decode');
    for (const r of [batched, stepped]) {
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).tokens).toEqual(c.generated_tokens);
    }
    expect(JSON.parse(batched.stdout).modeled.prefill).toBe('meshgemm');
    expect(JSON.parse(stepped.stdout).modeled.prefill).toBe('decode');
    expect(batched.stderr).toBe('');
  });

  it('a non-square mesh falls back to decode with a note; explicit meshgemm there is a usage error', async () => {
    const fallback = await run('--mesh', '4x8');
    expect(fallback.code).toBe(0);
    expect(JSON.parse(fallback.stdout).modeled.prefill).toBe('decode');
    expect(fallback.stderr).toMatch(/note: the MeshGEMM prefill needs a square mesh/);
    const explicit = await run('--mesh', '4x8', '--prefill', 'meshgemm');
    expect(explicit.code).toBe(2);
    expect(explicit.stderr).toMatch(/--prefill meshgemm needs a square/);
    const bad = await run('--prefill', 'gemm');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--prefill must be one of meshgemm, decode/);
  });
});
