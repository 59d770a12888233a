// SRAM: stories260K fits 48 KB per core on 8×8 wse2; a stories15M-shaped model does not, fails before
// loading with the smallest square mesh that fits, and runs on that mesh.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wafer } from './helpers/cli.js';

describe('mesh memory', () => {
  it('stories260K on 8x8 wse2 fits 48 KB per core and the report says so', async () => {
    const r = await wafer('run', '-n', '8', '--mesh', '8x8', '--machine', 'wse2', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.sram.budget_bytes_per_core).toBe(49152);
    expect(out.sram.peak_bytes_per_core).toBeLessThanOrEqual(49152);
    expect(out.sram.fits).toBe(true);
    const text = await wafer('run', '-n', '4', '--mesh', '8x8', '--machine', 'wse2');
    expect(text.stderr).toMatch(/SRAM peak [\d,]+ of 49,152 bytes per core \(fits\)/);
  });

  it('stories15M on 8x8 wse2 fails before loading, naming the smallest square mesh; on that mesh it runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wafer-15m-'));
    const file = join(dir, 'model.bin');
    expect((await wafer('synth', '--shape', 'stories15M', '--seed', '15', '-o', file)).code).toBe(0);
    const t0 = performance.now();
    const r = await wafer('run', '-m', file, '-n', '2', '--mesh', '8x8', '--machine', 'wse2');
    expect(r.code).toBe(1);
    expect(performance.now() - t0).toBeLessThan(10_000); // before loading: no weights placed
    const m = /the smallest square mesh that fits is (\d+)x\1/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    const P = Number(m![1]);
    const ok = await wafer('run', '-m', file, '-p', 'Once upon a time', '-n', '2', '--mesh', `${P}x${P}`, '--machine', 'wse2', '--json');
    expect(ok.code, ok.stderr).toBe(0);
    const out = JSON.parse(ok.stdout);
    expect(out.tokens).toHaveLength(2);
    expect(out.sram.peak_bytes_per_core).toBeLessThanOrEqual(49152);
    const smaller = await wafer('run', '-m', file, '-n', '1', '--mesh', `${P - 1}x${P - 1}`, '--machine', 'wse2');
    expect(smaller.code).toBe(1);
    expect(smaller.stderr).toContain(`the smallest square mesh that fits is ${P}x${P}`);
  }, 300_000);
});
