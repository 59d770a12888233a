// `pnpm bench wafer-scale --quick` keeps working: a 32×32 layer checked against the reference (the script
// exits non-zero if the mesh's logits disagree) and compared with the analytical model.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

describe('wafer-scale script', () => {
  it('runs the quick scale check and agrees with the reference and the model', () => {
    const script = fileURLToPath(new URL('../scripts/bench/wafer-scale.mjs', import.meta.url));
    const r = spawnSync(process.execPath, [script, '--quick'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => l.startsWith('| real heads') || l.startsWith('| paper convention'));
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const ratio = Number(row.split('|')[8]);
      expect(ratio).toBeGreaterThan(0.95);
      expect(ratio).toBeLessThan(1.05);
    }
  });
});
