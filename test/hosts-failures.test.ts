// Whole-run semantics across tile hosts: a host killed mid-run fails the run within 2 s naming it, and the
// others go back to idle with no thread left; so do hosts whose coordinator is killed; a deadlock, a throwing core, stray messages and a dying worker
// are the same named errors as in one process; a host refuses a coordinator of another protocol version and,
// with --secret, anyone without the same secret.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Packr } from 'msgpackr';
import { Dealer } from 'zeromq';
import { WaferError } from '@wafer/arch';
import { Fabric, HOST_PROTOCOL_VERSION, testingProgram, type HostsOptions } from '@wafer/fabric';
import { preset } from './helpers/machines.js';
import { startHosts, type HostProcs } from './helpers/tile-hosts.js';

const machine = preset('dev');
const mesh = { rows: 4, cols: 6 };

/** Threads of a process (Linux): a host's count returns to its idle baseline once a session is over. */
function threadsOf(pid: number): number {
  return readdirSync(`/proc/${pid}/task`).length;
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

async function fails(hosts: HostsOptions, program: Parameters<typeof testingProgram>[0], args: object): Promise<WaferError> {
  const fabric = await Fabric.start({ machine, mesh, threads: 1, hosts });
  try {
    await fabric.run(testingProgram(program), args);
  } catch (e) {
    expect(fabric.liveThreads).toBe(0);
    return e as WaferError;
  } finally {
    await fabric.destroy();
  }
  throw new Error(`${program} did not fail`);
}

describe('failures across tile hosts', () => {
  let hosts: HostProcs;
  let baseline: number[];
  beforeAll(async () => {
    hosts = await startHosts([2, 1]);
    baseline = hosts.procs.map((p) => threadsOf(p.pid!));
  });
  afterAll(async () => {
    await hosts?.stop();
  });
  const both = (): HostsOptions => ({ addresses: hosts.addresses, split: 'columns' });

  it('a deadlock lists the waiting cores on every host', async () => {
    const e = await fails(both(), 'deadlock', {});
    expect(e.code).toBe('DEADLOCK');
    expect(e.message).toContain('24 core(s) wait');
    expect(e.message).toContain('core(0,0) on colour 5');
  });

  it('a throwing core on the second host names the core and its tile, and stops the first host', async () => {
    const e = await fails(both(), 'throwsAt', { at: [5, 3] });
    expect(e.code).toBe('CORE_FAILED');
    expect(e.message).toMatch(/^core\(5,3\) on tile 2 failed: deliberate failure$/);
  });

  it('messages sent across hosts that nobody receives fail the run', async () => {
    const fabric = await Fabric.start({ machine, mesh: { rows: 1, cols: 2 }, threads: 1, hosts: both() });
    await expect(fabric.run(testingProgram('strays'), { count: 3, words: 4 })).rejects.toThrow(/3 message\(s\) sent but never received \(core\(1,0\) \(3 on colour 0\)\)/);
    await fabric.destroy();
  });

  it('a worker thread that dies on a host fails the run, naming the tile and the host', async () => {
    const e = await fails(both(), 'exitsWorker', {});
    expect(e.code).toBe('WORKER_FAILED');
    expect(e.message).toMatch(/^worker of tile 0 \(cores x 0\.\.2, y 0\.\.1\) on host 0 \(tcp:\/\/127\.0\.0\.1:\d+, tiles 0\.\.1, last tile 1: .*\) died/);
  });

  it('a core that never yields on the second host: CORE_HUNG names the core, its tile and the host, within 2 s', async () => {
    const t0 = performance.now();
    const e = await fails(both(), 'neverYields', { at: [4, 1] });
    expect(performance.now() - t0).toBeLessThan(2000 + 1000); // the 1 s stall limit, then teardown
    expect(e.code).toBe('CORE_HUNG');
    expect(e.message).toMatch(/^core\(4,1\) on tile 2 has run for 1\.\d s without yielding or computing: .* \(on host 1 \(tcp:/);
  });

  it('every host is idle again, with its idle thread count', async () => {
    for (const [h, p] of hosts.procs.entries()) expect(await until(() => threadsOf(p.pid!) === baseline[h], 3000), `host ${h} threads`).toBe(true);
  });

  it('a second coordinator is refused while a host serves one', async () => {
    const first = await Fabric.start({ machine, mesh, threads: 1, hosts: both() });
    try {
      await expect(Fabric.start({ machine, mesh, threads: 1, hosts: both() })).rejects.toThrow(/refused this coordinator: it is serving another coordinator/);
    } finally {
      await first.close();
    }
  });

  it('a host refuses a coordinator of another protocol version', async () => {
    const packr = new Packr({ useRecords: false });
    const d = new Dealer({ linger: 0 });
    d.connect(hosts.addresses[0]);
    await d.send(['C', packr.pack({ type: 'hello', version: HOST_PROTOCOL_VERSION + 1, session: 'x' })]);
    const [kind, header] = await d.receive();
    d.close();
    expect(kind.toString()).toBe('C');
    expect(packr.unpack(header)).toEqual({ type: 'refused', reason: `it speaks host protocol ${HOST_PROTOCOL_VERSION}, the coordinator ${HOST_PROTOCOL_VERSION + 1} (run the same wafer version everywhere)` });
  });

  it('a coordinator killed mid-run: its hosts end the session and serve the next one', async () => {
    const main = new URL('../packages/cli/dist/main.js', import.meta.url).pathname;
    const coordinator = spawn(process.execPath, [main, 'run', '-n', '400', '--mesh', '2x2', '--machine', 'dev', '--hosts', hosts.addresses.join(',')], { stdio: 'ignore' });
    expect(await until(() => threadsOf(hosts.procs[0].pid!) > baseline[0], 10_000), 'session started').toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    coordinator.kill('SIGKILL');
    for (const [h, p] of hosts.procs.entries()) expect(await until(() => threadsOf(p.pid!) === baseline[h], 5000), `host ${h} threads`).toBe(true);
    const next = await Fabric.start({ machine, mesh, threads: 1, hosts: both() });
    expect((await next.run(testingProgram('rowShift'), { words: 2 })).messages).toBe(20);
    await next.close();
  });

  it('a host killed mid-run: reported within 2 s naming it, the other host returns to idle and serves the next run', async () => {
    const victim = await startHosts([1]);
    const addresses = [hosts.addresses[1], victim.addresses[0]];
    const fabric = await Fabric.start({ machine, mesh: { rows: 1, cols: 2 }, threads: 1, hosts: { addresses, split: 'columns' } });
    const run = fabric.run(testingProgram('pingPong'), { rounds: 10_000_000, words: 4 }).then(() => null, (e: WaferError) => ({ e, at: performance.now() }));
    await new Promise((r) => setTimeout(r, 500));
    const killedAt = performance.now();
    victim.procs[0].kill('SIGKILL');
    const out = await run;
    expect(out).not.toBeNull();
    expect(out!.e.code).toBe('HOST_FAILED');
    expect(out!.e.message).toBe(`host 1 (${victim.addresses[0]}, tiles 1..1, last tile 1: cores x 1..1, y 0..0) disconnected; the run is aborted on every host`);
    expect(out!.at - killedAt).toBeLessThan(2000);
    expect(fabric.liveThreads).toBe(0);
    await victim.stop();
    expect(await until(() => threadsOf(hosts.procs[1].pid!) === baseline[1], 3000)).toBe(true);
    const next = await Fabric.start({ machine, mesh, threads: 1, hosts: { addresses: [hosts.addresses[1]] } });
    const r = await next.run(testingProgram('rowShift'), { words: 2 });
    expect(r.messages).toBe(20);
    await next.close();
  });
});

describe('--secret: CURVE between coordinator and hosts', () => {
  const dir = tmpdir();
  const good = join(dir, `wafer-secret-${process.pid}-a`);
  const bad = join(dir, `wafer-secret-${process.pid}-b`);
  let hosts: HostProcs;
  beforeAll(async () => {
    writeFileSync(good, 'correct horse battery staple, thirty-two bytes');
    writeFileSync(bad, 'incorrect horse battery staple, of another kind');
    hosts = await startHosts([1, 1], ['--secret', good]);
  });
  afterAll(async () => {
    await hosts?.stop();
  });

  it('the same secret runs bit-identical to one process; another secret, or none, is refused at once', async () => {
    const readSecret = (f: string) => new Uint8Array(readFileSync(f));
    const local = await Fabric.start({ machine, mesh, threads: 2 });
    const want = await local.run(testingProgram('neighbourExchange'), { rounds: 2, words: 3 });
    await local.close();
    const fabric = await Fabric.start({ machine, mesh, threads: 1, hosts: { addresses: hosts.addresses, secret: readSecret(good) } });
    const got = await fabric.run(testingProgram('neighbourExchange'), { rounds: 2, words: 3 });
    await fabric.close();
    expect([got.modeledCycles, got.messages, got.words]).toEqual([want.modeledCycles, want.messages, want.words]);
    for (const secret of [readSecret(bad), undefined]) {
      const t0 = performance.now();
      const err = await Fabric.start({ machine, mesh, threads: 1, hosts: { addresses: hosts.addresses, secret } }).then(() => null, (e: WaferError) => e);
      expect(err?.code).toMatch(/^HOST_(REFUSED|FAILED)$/);
      expect(err?.message).toMatch(/refused the secure handshake|did not answer/);
      expect(performance.now() - t0).toBeLessThan(secret === undefined ? 12_000 : 3000);
    }
  }, 60_000);
});
