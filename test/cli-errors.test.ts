// Bad input through the real CLI: one line on stderr naming the flag or file, exit 2 for usage, 1 otherwise.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wafer } from './helpers/cli.js';

const BIN = new URL('../models/stories260K/stories260K.bin', import.meta.url).pathname;
const GGUF = new URL('../models/stories260K/stories260K.gguf', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'wafer-cli-'));

function expectOneLine(stderr: string, pattern: RegExp) {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe('wafer CLI errors', () => {
  it('a bad WAFER_LOCAL_HEAP_MIB: exit 2 before any thread starts, names the variable, for every engine', async () => {
    process.env.WAFER_LOCAL_HEAP_MIB = 'lots';
    try {
      for (const engine of ['mesh', 'reference']) {
        const r = await wafer('run', '-n', '1', '--engine', engine);
        expect(r.code).toBe(2);
        expectOneLine(r.stderr, /^wafer: WAFER_LOCAL_HEAP_MIB must be a whole number of MiB from 1 to 4096, got 'lots'$/);
      }
    } finally {
      delete process.env.WAFER_LOCAL_HEAP_MIB;
    }
  });

  it('missing model file: exit 1, names the file', async () => {
    const r = await wafer('run', '-m', join(tmp, 'nope.bin'));
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, /nope\.bin/);
    expect(r.stdout).toBe('');
  });

  it('truncated checkpoint: exit 1, names the file', async () => {
    const f = join(tmp, 'trunc.bin');
    writeFileSync(f, readFileSync(BIN).subarray(0, 5000));
    const r = await wafer('run', '-m', f, '--tokenizer', new URL('../models/stories260K/tok512.bin', import.meta.url).pathname);
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, /trunc\.bin/);
  });

  it('wrong magic: a file of junk is refused with its name', async () => {
    const f = join(tmp, 'junk.gguf');
    writeFileSync(f, Buffer.alloc(4096, 0x41));
    const r = await wafer('inspect', f);
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, /junk\.gguf/);
  });

  it('tokenizer vocabulary size different from the model', async () => {
    const r = await wafer('run', '-n', '1', '--tokenizer', new URL('../models/llama2/tokenizer.bin', import.meta.url).pathname);
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, /32000.*512|512.*32000/);
  });

  it('prompt longer than the context', async () => {
    const r = await wafer('run', '-n', '1', '-p', 'Once upon a time '.repeat(200));
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, /context length is 512/);
  });

  it('--region that cannot hold the model: exit 1 before loading, names the bytes and what fits', async () => {
    const r = await wafer('run', '-m', GGUF, '-n', '1', '--mesh', '8x8', '--region', '4x8');
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, /needs 78616 bytes per core on one 4x8 region .* need 3 4x8 regions and the 8x8 mesh has 2: the smallest mesh of 8 columns that holds them is 12x8; the smallest square region that fits this mesh is 8x8/);
  });

  for (const [flag, value, pattern] of [
    ['-n', 'abc', /-n must be an integer, got 'abc'/],
    ['-n', '-3', /-n must be >= 0, got -3/],
    ['--temp', 'hot', /--temp must be a number, got 'hot'/],
    ['--temp', '-1', /--temp must be >= 0/],
    ['--top-p', '1.5', /--top-p must be <= 1/],
    ['--top-p', '0', /--top-p must be > 0/],
    ['--top-k', '2.5', /--top-k must be an integer/],
    ['--seed', '0', /--seed must be >= 1/],
    ['--engine', 'gpu', /--engine must be one of mesh, reference, got 'gpu'/],
    ['--region', '9', /--region 9x9 is larger than the 8x8 mesh/],
    ['--region', '2y3', /--region must be P or RxC/],
  ] as const) {
    it(`${flag} ${value}: usage error, exit 2`, async () => {
      const r = await wafer('run', flag, value);
      expect(r.code).toBe(2);
      expectOneLine(r.stderr, pattern);
      expect(r.stdout).toBe('');
    });
  }

  it('unknown option: usage error, exit 2', async () => {
    const r = await wafer('run', '--frobnicate');
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, /frobnicate/);
  });

  it('--verbose adds the stack trace', async () => {
    const r = await wafer('run', '-m', join(tmp, 'nope.bin'), '--verbose');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});

describe('wafer run mesh flags', () => {
  for (const [args, code, pattern] of [
    [['--mesh', '100'], 2, /--mesh 100x100 is larger than the model can split: the embedding dim \(64\) over 100 rows/],
    [['--mesh', '3x'], 2, /--mesh must be P or RxC/],
    [['--machine', 'wse9'], 2, /--machine wse9: unknown machine \(presets: dev, wse2, wse3/],
    [['--threads', '0'], 2, /--threads must be >= 1, got 0/],
    [['--threads', '-2'], 2, /--threads must be >= 1, got -2/],
    [['--threads', '65'], 2, /--threads 65 is more than the 8x8 mesh's 64 cores/],
    [['--mesh', '4', '--machine', 'wse2'], 1, /needs \d+ bytes per core on a 4x4 mesh, over machine wse2's 49152 bytes .* smallest square mesh that fits is 5x5/],
    [['--sram', 'lots'], 2, /--sram must be one of enforce, unlimited/],
    [['--groups', '9'], 2, /--groups must be <= 8, got 9/],
  ] as const) {
    it(`${args.join(' ')}: exit ${code}`, async () => {
      const r = await wafer('run', '-n', '1', ...args);
      expect(r.code).toBe(code);
      expectOneLine(r.stderr, pattern);
    });
  }
});

describe('wafer CLI usage errors stop before the command runs', () => {
  for (const args of [['run', '--bogus'], ['synth', '--shape', 'stories260K', '-o', join(tmp, 'never.gguf'), '--json'], ['kernel', 'foo'], ['estimate', '--mesh', '420'], ['inspect']]) {
    it(args.join(' '), async () => {
      const r = await wafer(...args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expectOneLine(r.stderr, /\(see wafer --help\)$/);
    });
  }
});

describe('mesh-engine flags with the reference engine are refused, not ignored', () => {
  for (const [cmd, flag, value] of [['run', '--mesh', '4'], ['run', '--threads', '2'], ['run', '--machine', 'dev'], ['run', '--region', '4'], ['bench', '--mesh', '4'], ['bench', '--spin', '5']]) {
    it(`${cmd} --engine reference ${flag} ${value}`, async () => {
      const r = await wafer(cmd, '--engine', 'reference', flag, value, '-n', '1');
      expect(r.code).toBe(2);
      expectOneLine(r.stderr, new RegExp(`^wafer: ${flag} applies to the mesh engine, not to --engine reference$`));
    });
  }
});
