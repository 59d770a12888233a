// `wafer serve` refuses bad flags before placing anything (one line, exit 2), and a port that is taken
// once the model is placed (one line naming the address, exit 1).
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { wafer } from './helpers/cli.js';

function expectOneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

describe('wafer serve flags', () => {
  it('bad values are usage errors naming the flag', async () => {
    const cases: [string[], RegExp][] = [
      [['--port', '70000'], /--port must be <= 65535, got 70000/],
      [['--port', 'eighty'], /--port must be an integer, got 'eighty'/],
      [['--max-queue', '-1'], /--max-queue must be >= 0, got -1/],
      [['--arrival-scale', '0'], /--arrival-scale must be > 0, got 0/],
      [['--shutdown-grace', 'soon'], /--shutdown-grace must be a number, got 'soon'/],
      [['--temp', '-1'], /--temp must be >= 0, got -1/],
      [['--seed', '0'], /--seed must be >= 1, got 0/],
      [['--api-key', ''], /--api-key must not be empty/],
      [['--mesh', '9x9x9'], /mesh/],
      [['--threads', '30', '--mesh', '5x5'], /--threads 30 is more than the 5x5 mesh's 25 cores/],
      [['--engine', 'reference'], /Unknown argument: engine/],
    ];
    for (const [args, message] of cases) {
      const r = await wafer('serve', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expectOneLine(r.stderr, message);
      expect(r.stdout).toBe('');
    }
  });

  it('a port in use: exit 1 naming the address', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const r = await wafer('serve', '--port', String(port), '--mesh', '1x1', '--sram', 'unlimited');
      expect(r.code).toBe(1);
      expectOneLine(r.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use`));
    } finally {
      blocker.close();
    }
  });
});
