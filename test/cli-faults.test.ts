// Faults in the middle of `wafer run` on the mesh, injected with WAFER_FAULT_INJECT into the third decode step:
// a worker that exits, a core that throws, a core program that never yields. Each ends the command within 2 s
// of the fault with exit code 1 and one line naming the tile and the core, with the text generated so far
// already on stdout and no worker thread left; with --json, stdout is one object with an error member.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { liveFabricThreads } from '@wafer/fabric';
import { wafer, waferWith } from './helpers/cli.js';

const RUN = ['run', '-p', 'Once upon a time', '-n', '24', '--temp', '0'];
// 5 prompt tokens on 8x8 run token by token (runs 1-5); runs 6 and 7 decode new tokens 2 and 3; run 8 fails.
const FAULT_RUN = 8;

let fullText = '';
beforeAll(async () => {
  const r = await wafer(...RUN);
  expect(r.code).toBe(0);
  fullText = r.stdout;
});

afterEach(() => {
  delete process.env.WAFER_FAULT_INJECT;
});

async function withFault(kind: string, extra: string[] = []) {
  process.env.WAFER_FAULT_INJECT = `${kind}@3,2#${FAULT_RUN}`;
  const r = await waferWith([...RUN, ...extra]);
  for (let i = 0; i < 50 && liveFabricThreads() > 0; i++) await new Promise((done) => setTimeout(done, 20));
  return { ...r, threadsLeft: liveFabricThreads() };
}

describe('a fault in the middle of wafer run', () => {
  it.each([
    ['exit', /^wafer: worker of tile 0 \(cores x 0\.\.3, y 0\.\.7\) died while core\(3,2\) was running: worker exited with code: 3$/],
    ['throw', /^wafer: core\(3,2\) on tile 0 failed: injected fault$/],
    ['hang', /^wafer: core\(3,2\) on tile 0 has run for 1\.\d s without yielding or computing: .*$/],
  ])('%s: exit 1 within 2 s, one line naming tile and core, text so far flushed, no thread left', async (kind, line) => {
    const r = await withFault(kind);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').filter((l) => l !== '')).toHaveLength(1);
    expect(r.stderr.trimEnd()).toMatch(line);
    // The prompt and the three tokens decoded before the fault, exactly as the fault-free run printed them.
    expect(r.stdout).toBe('Once upon a time, there was');
    expect(fullText.startsWith(r.stdout)).toBe(true);
    expect(r.endedAt - r.lastStdoutAt).toBeLessThan(2000);
    expect(r.threadsLeft).toBe(0);
  });

  it('--json: one JSON object with the error, nothing else on stdout', async () => {
    const r = await withFault('throw', ['--json']);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toEqual({ error: { code: 'CORE_FAILED', message: 'core(3,2) on tile 0 failed: injected fault' } });
    expect(r.threadsLeft).toBe(0);
  });
});

describe('--json failures print one JSON object', () => {
  it.each([
    [['run', '-m', 'nope.bin', '--json'], 1, 'FILE_NOT_FOUND'],
    [['run', '--mesh', '0x3', '--json'], 2, 'USAGE'],
    [['run', '--bogus', '--json'], 2, 'USAGE'],
    [['bench', '--mesh', '8', '--threads', '1', '-p', '600', '--json'], 2, 'USAGE'],
    [['estimate', '-m', 'nope-8b', '--json'], 2, 'USAGE'],
  ])('%j: exit %i, error code %s', async (args, code, errorCode) => {
    const r = await waferWith(args);
    expect(r.code).toBe(code);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]);
    expect(Object.keys(out)).toEqual(['error']);
    expect(out.error.code).toBe(errorCode);
    expect(r.stderr.trimEnd()).toBe(`wafer: ${out.error.message}`);
  });
});

describe('a fault in a real wafer process', () => {
  // In-process tests cannot see a timer that outlives the failed run and keeps the process alive; a process can.
  for (const fault of ['hang', 'exit', 'throw']) {
    it(`${fault}: the process prints the one-line error and exits 1 on its own`, async () => {
      const main = fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url));
      const child = spawn(process.execPath, [main, ...RUN], {
        env: { ...process.env, WAFER_FAULT_INJECT: `${fault}@3,2#${FAULT_RUN}` },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      clearTimeout(killer);
      expect(code).toBe(1); // null: it was still alive after 15 s
      expect(stderr).toMatch(/^wafer: .*core\(3,2\)/m);
    });
  }
});
