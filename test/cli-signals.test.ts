// SIGINT and SIGTERM during a long `wafer run` or `wafer bench`: the command stops within 1 s with exit code
// 130 or 143, one line on stderr and no stack trace, what it printed so far intact, and no worker thread left
// (in-process with a stand-in for the process's signals, where the threads can be counted; and as a real
// process receiving real signals).
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { liveFabricThreads } from '@wafer/fabric';
import { waferWith } from './helpers/cli.js';

const MAIN = fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url));
const LONG_RUN = ['run', '-p', 'Once upon a time', '-n', '500', '--seed', '3'];

/**
 * Runs `args` in-process and sends `signal` once stdout holds more than `afterChars` characters, or (null)
 * 300 ms after the first fabric has started; returns the result and the time from the signal to the return.
 */
async function interruptInProcess(args: string[], signal: 'SIGINT' | 'SIGTERM', afterChars: number | null) {
  const signals = new EventEmitter();
  let stdout = '';
  let sentAt = 0;
  const send = () => {
    if (sentAt !== 0) return;
    sentAt = performance.now();
    signals.emit(signal);
  };
  const running = waferWith(args, {
    signals,
    onStdout: (s) => {
      stdout += s;
      if (afterChars !== null && stdout.length > afterChars) setImmediate(send);
    },
  });
  if (afterChars === null) {
    for (let i = 0; i < 1000 && liveFabricThreads() === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 300));
    send();
  }
  const r = await running;
  return { ...r, ms: r.endedAt - sentAt, threadsLeft: liveFabricThreads(), listeners: signals.listenerCount(signal) };
}

describe('interrupting a command in-process (threads counted)', () => {
  it('SIGINT during wafer run: exit 130 within 1 s, text so far kept, one line, no thread left', async () => {
    const r = await interruptInProcess(LONG_RUN, 'SIGINT', 40);
    expect(r.code).toBe(130);
    expect(r.ms).toBeLessThan(1000);
    expect(r.stderr).toBe('wafer: interrupted by SIGINT\n');
    expect(r.stdout.startsWith('Once upon a time')).toBe(true);
    expect(r.stdout.length).toBeGreaterThan(40);
    expect(r.threadsLeft).toBe(0);
    expect(r.listeners).toBe(0); // main removed its handlers
  });

  it('SIGTERM during wafer bench: exit 143 within 1 s, no thread left', async () => {
    const r = await interruptInProcess(['bench', '--mesh', '8', '--threads', '2', '-p', '16', '-n', '400', '-r', '5'], 'SIGTERM', null);
    expect(r.code).toBe(143);
    expect(r.ms).toBeLessThan(1000);
    expect(r.stderr).toBe('wafer: interrupted by SIGTERM\n');
    expect(r.stdout).toBe('');
    expect(r.threadsLeft).toBe(0);
  });

  it('--json: an interrupted run prints one JSON object with the error, no thread left', async () => {
    const r = await interruptInProcess([...LONG_RUN, '--json'], 'SIGINT', null);
    expect(r.code).toBe(130);
    expect(r.ms).toBeLessThan(1000);
    expect(r.stdout).toBe('{"error":{"code":"INTERRUPTED","message":"interrupted by SIGINT"}}\n');
    expect(r.threadsLeft).toBe(0);
  });
});

/** Spawns the CLI; sends `signal` once `ready(stdout, stderr)`; resolves with its exit and the signal-to-exit time. */
function interruptProcess(args: string[], signal: NodeJS.Signals, ready: (stdout: string, stderr: string) => boolean) {
  return new Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sentAt = 0;
    const check = () => {
      if (sentAt === 0 && ready(stdout, stderr)) {
        sentAt = performance.now();
        child.kill(signal);
      }
    };
    child.stdout.on('data', (d) => { stdout += d; check(); });
    child.stderr.on('data', (d) => { stderr += d; check(); });
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - sentAt }));
  });
}

describe('interrupting the real process', () => {
  it('SIGINT during wafer run: exit code 130 within 1 s, one line, no stack trace', async () => {
    const r = await interruptProcess(LONG_RUN, 'SIGINT', (out) => out.length > 40);
    expect(r.code).toBe(130);
    expect(r.ms).toBeLessThan(1000);
    expect(r.stderr).toBe('wafer: interrupted by SIGINT\n');
    expect(r.stdout.startsWith('Once upon a time')).toBe(true);
  });

  it('SIGTERM during wafer bench --json: exit code 143 within 1 s, one JSON error object', async () => {
    // --verbose: the debug log says when the first fabric has started; the interrupt itself prints no stack
    const args = ['bench', '--mesh', '8', '--threads', '2', '-p', '16', '-n', '400', '-r', '5', '--json', '--verbose'];
    const r = await interruptProcess(args, 'SIGTERM', (_out, err) => err.includes('fabric started'));
    expect(r.code).toBe(143);
    expect(r.ms).toBeLessThan(1000);
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'INTERRUPTED', message: 'interrupted by SIGTERM' } });
    const plain = r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('{'));
    expect(plain).toEqual(['wafer: interrupted by SIGTERM']);
  });
});
