// Spawns `wafer host` processes on free loopback ports for tests, and stops them.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));

export interface HostProcs {
  addresses: string[];
  procs: ChildProcess[];
  /** Stderr of each host so far (pino lines). */
  logs: string[];
  stop(): Promise<void>;
}

/** Starts one tile host per entry of `threads` (extra flags appended); resolves once every one listens. */
export async function startHosts(threads: number[], extra: string[] = []): Promise<HostProcs> {
  const procs: ChildProcess[] = [];
  const logs: string[] = [];
  const addresses = await Promise.all(threads.map((t, h) => new Promise<string>((resolve, reject) => {
    const p = spawn(process.execPath, [MAIN, 'host', '--listen', 'tcp://127.0.0.1:0', '--threads', String(t), ...extra], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WAFER_LOG_LEVEL: 'info' } });
    procs.push(p);
    logs[h] = '';
    let out = '';
    p.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (tcp:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    p.stderr!.on('data', (d: Buffer) => { logs[h] += d.toString(); });
    p.on('exit', (code) => reject(new Error(`host ${h} exited with ${code} before listening: ${logs[h]}`)));
  })));
  const stop = async () => {
    // SIGTERM: the host ends its session and exits; a host that does not within 5 s is killed.
    await Promise.all(procs.map((p) => new Promise<void>((resolve) => {
      if (p.exitCode !== null || p.signalCode !== null) return resolve();
      const timer = setTimeout(() => p.kill('SIGKILL'), 5000);
      p.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      p.kill('SIGTERM');
    })));
  };
  return { addresses, procs, logs, stop };
}
