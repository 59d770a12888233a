// For each mesh and algorithm the output checksum and modeled cycles are identical for 1, 2, 3 and 4 threads.
import { describe, expect, it } from 'vitest';
import { main } from '@wafer/cli';

async function kernel(...args: string[]) {
  let stdout = '';
  const code = await main(['kernel', ...args, '--json'], { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: () => 0 } });
  expect(code).toBe(0);
  return JSON.parse(stdout);
}

const cases: string[][] = [];
for (const mesh of ['3', '5', '8']) {
  for (const algo of ['meshgemm', 'cannon', 'summa']) cases.push(['gemm', '--algo', algo, '--mesh', mesh, '--m', '37', '--k', '53', '--n', '29']);
}
for (const mesh of ['5', '4x7', '8']) {
  for (const algo of ['meshgemv', 'pipeline', 'ring']) cases.push(['gemv', '--algo', algo, '--mesh', mesh, '--k', '300', '--n', '77']);
}

describe('kernel determinism across thread counts', () => {
  for (const c of cases) {
    it(c.join(' '), async () => {
      const base = await kernel(...c, '--threads', '1');
      for (const t of ['2', '3', '4']) {
        const other = await kernel(...c, '--threads', t);
        expect(other.checksum).toBe(base.checksum);
        expect(other.modeled_cycles).toBe(base.modeled_cycles);
        expect(other.messages).toBe(base.messages);
        expect(other.max_routes_per_router).toBe(base.max_routes_per_router);
      }
    });
  }
});
