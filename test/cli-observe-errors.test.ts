// Bad observability flags and run records through the real CLI: one line naming the flag or file, exit 2 for
// usage, 1 otherwise; nothing is run.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packArray } from '@wafer/observe';
import { wafer } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'wafer-observe-cli-'));

function expectOneLine(stderr: string, pattern: RegExp) {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('observability flags and run records: errors', () => {
  it('--trace-cores: bad syntax, outside the mesh, backwards, or without --trace', async () => {
    const t = join(tmp, 't.json');
    const cases: [string[], RegExp][] = [
      [['kernel', 'gemv', '--mesh', '4', '--trace', t, '--trace-cores', '0-3'], /--trace-cores must be 'X0-X1,Y0-Y1' or 'X,Y', got '0-3'/],
      [['kernel', 'gemv', '--mesh', '4', '--trace', t, '--trace-cores', '0-4,0-3'], /--trace-cores: columns 0\.\.4, rows 0\.\.3 are not inside the 4x4 mesh/],
      [['kernel', 'gemv', '--mesh', '4', '--trace', t, '--trace-cores', '3-1,0'], /ranges must run from low to high/],
      [['kernel', 'gemv', '--mesh', '4', '--trace-cores', '0,0'], /--trace-cores chooses the cores of --trace: give --trace FILE too/],
      [['run', '--mesh', '4', '-n', '1', '--trace', t, '--trace-cores', '9,9'], /not inside the 4x4 mesh/],
      [['kernel', 'shift', '--mesh', '256', '--trace', t, '--trace-cores', '0-255,0-255'], /a trace shows at most 62,500 cores \(250x250\), got 256x256/],
    ];
    for (const [args, pattern] of cases) {
      const r = await wafer(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expectOneLine(r.stderr, pattern);
    }
  });

  it('observability flags belong to the mesh engine and to one kernel run', async () => {
    const r = await wafer('run', '--engine', 'reference', '--profile', '-n', '1');
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, /--profile applies to the mesh engine, not to --engine reference/);
    const c = await wafer('kernel', 'compare', '--mesh', '4', '--report', join(tmp, 'r.html'));
    expect(c.code).toBe(2);
    expectOneLine(c.stderr, /--report applies to one kernel run \(gemm, gemv or shift\), not to compare/);
    const s = await wafer('kernel', 'shift', '--mesh', '4', '--algo', 'meshgemm');
    expect(s.code).toBe(2);
    expectOneLine(s.stderr, /--algo does not apply to shift/);
  });

  it('wafer report: a missing file, not JSON, not a record, a damaged array', async () => {
    const out = join(tmp, 'out.html');
    const missing = await wafer('report', join(tmp, 'none.json'), '-o', out);
    expect(missing.code).toBe(1);
    expectOneLine(missing.stderr, /none\.json: cannot read the run record \(ENOENT\)/);
    const cases: [string, RegExp][] = [
      ['{"traceEvents": [', /not JSON/],
      ['{"traceEvents": []}', /not a wafer run record \(format undefined\)/],
      ['{"format": "wafer-run-record", "version": 9}', /run record version 9, this wafer reads version 1/],
    ];
    const good = { format: 'wafer-run-record', version: 1, title: 't', config: {}, summary: [], machine: { name: 'wse2', clockHz: 1.1e9, sramBytesPerCore: 49152 }, mesh: { rows: 2, cols: 2 }, threads: 1, tiles: [], profiles: [] };
    const arr = (n: number) => packArray(new Float64Array(n));
    const group = { group: 'kernel', runs: 1, modeledCycles: 1, busy: arr(4), wait: arr(4), sramPeak: arr(4), linkWords: arr(16), linkBusy: arr(16) };
    cases.push([JSON.stringify({ ...good, groups: [{ ...group, wait: arr(3) }] }), /group "kernel" field wait must be a float32-gzip-base64 array of 4 values/]);
    cases.push([JSON.stringify({ ...good, groups: [{ ...group, busy: { ...arr(4), data: 'AAAA' } }] }), /group "kernel" field busy is not gzipped base64/]);
    for (const [text, pattern] of cases) {
      const f = join(tmp, 'bad.json');
      writeFileSync(f, text);
      const r = await wafer('report', f, '-o', out);
      expect(r.code, text.slice(0, 40)).toBe(1);
      expectOneLine(r.stderr, pattern);
      expect(r.stderr).toContain('bad.json');
    }
    const ok = join(tmp, 'ok.json');
    writeFileSync(ok, JSON.stringify({ ...good, groups: [group] }));
    expect((await wafer('report', ok, '-o', out)).code).toBe(0);
  });
});
