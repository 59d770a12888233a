// The tile-host flags through the real CLI: `wafer kernel` and `wafer run` on two `wafer host` processes give
// the same output as one process, and bad host flags are one-line usage errors.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wafer } from './helpers/cli.js';
import { startHosts, type HostProcs } from './helpers/tile-hosts.js';

let hosts: HostProcs;
beforeAll(async () => {
  hosts = await startHosts([1, 1]);
});
afterAll(async () => {
  await hosts?.stop();
});

describe('--hosts on the CLI', () => {
  it('wafer kernel gemv: same checksum, cycles and messages as one process', async () => {
    const args = ['kernel', 'gemv', '--mesh', '6', '--k', '96', '--n', '64', '--json'];
    const local = JSON.parse((await wafer(...args, '--threads', '2')).stdout);
    const r = await wafer(...args, '--hosts', hosts.addresses.join(','), '--host-split', 'rows');
    expect(r.code).toBe(0);
    const remote = JSON.parse(r.stdout);
    for (const k of ['checksum', 'modeled_cycles', 'messages', 'max_routes_per_router']) expect(remote[k], k).toEqual(local[k]);
    expect(remote.hosts).toBe(2);
    expect(remote.cross_host_messages).toBeGreaterThan(0);
  });

  it('wafer run --temp 0: the same tokens and modeled cycles per token', async () => {
    const args = ['run', '-p', 'Lily and Ben', '-n', '12', '--temp', '0', '--mesh', '2x2', '--machine', 'dev', '--json'];
    const local = JSON.parse((await wafer(...args)).stdout);
    const remote = JSON.parse((await wafer(...args, '--hosts', hosts.addresses.join(','))).stdout);
    expect(remote.tokens).toEqual(local.tokens);
    expect(remote.modeled).toEqual(local.modeled);
  });

  it('bad host flags: one line, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wafer-hosts-cli-'));
    const short = join(dir, 'short');
    writeFileSync(short, 'too short');
    const cases: [string[], RegExp][] = [
      [['run', '--hosts', 'localhost:5555'], /^wafer: --hosts: 'localhost:5555' is not tcp:\/\/HOST:PORT$/],
      [['run', '--hosts', 'tcp://a:1,tcp://a:1'], /^wafer: --hosts names a host twice/],
      [['run', '--secret', short], /^wafer: --secret applies only with --hosts$/],
      [['run', '--hosts', 'tcp://a:1', '--secret', short], /^wafer: --secret .*short: 9 bytes; a secret needs at least 16/],
      [['run', '--hosts', 'tcp://a:1', '--threads', '2'], /^wafer: --threads sets this process's threads; with --hosts each host's own --threads does$/],
      [['run', '--engine', 'reference', '--hosts', 'tcp://a:1'], /^wafer: --hosts applies to the mesh engine/],
      [['run', '--hosts', 'tcp://a:1', '--host-split', 'diagonal'], /^wafer: --host-split must be one of rows, columns/],
      [['run', '--host-split', 'rows'], /^wafer: --host-split applies only with --hosts$/],
      [['run', '--engine', 'reference', '--host-split', 'rows'], /^wafer: --host-split applies to the mesh engine/],
      [['kernel', 'gemv', '--hosts', 'tcp://a:1', '--threads', '2'], /^wafer: --threads sets this process's threads; with --hosts each host's own --threads does$/],
      [['kernel', 'gemv', '--host-split', 'rows'], /^wafer: --host-split applies only with --hosts$/],
      [['host', '--listen', 'udp://1.2.3.4:5'], /^wafer: --listen must be tcp:\/\/ADDR:PORT, got 'udp:\/\/1\.2\.3\.4:5'$/],
    ];
    for (const [args, pattern] of cases) {
      const r = await wafer(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr.trimEnd(), args.join(' ')).toMatch(pattern);
    }
  });
});
