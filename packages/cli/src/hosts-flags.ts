// The flags that put a command's mesh on tile hosts (`--hosts`, `--host-split`, `--secret`), shared by run,
// bench and kernel, and the secret file both sides read.
import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { usageError, WaferError } from '@wafer/arch';
import { parseHostList, type HostsOptions } from '@wafer/fabric';
import { choiceFlag } from './flags.js';

/** Adds --hosts, --host-split and --secret to a command. */
export function hostsOptions(y: Argv): Argv {
  return y
    .option('hosts', { type: 'string', describe: 'run the mesh on tile hosts (`wafer host`): tcp://h1:p1,tcp://h2:p2,… one band each' })
    .option('host-split', { type: 'string', defaultDescription: 'columns', describe: 'with --hosts: bands of columns or rows' })
    .option('secret', { type: 'string', describe: 'with --hosts: shared secret file (CURVE); the hosts need the same file' });
}

export interface HostsArgs {
  hosts?: string;
  'host-split'?: string;
  secret?: string;
}

/** The hosts a command's mesh runs on, or undefined for this process's threads. */
export function hostsFromArgs(a: HostsArgs): HostsOptions | undefined {
  if (a.hosts === undefined) {
    if (a.secret !== undefined) throw usageError('--secret applies only with --hosts');
    if (a['host-split'] !== undefined) throw usageError('--host-split applies only with --hosts');
    return undefined;
  }
  return { addresses: parseHostList(a.hosts), split: choiceFlag('--host-split', a['host-split'] ?? 'columns', ['rows', 'columns'] as const), secret: a.secret === undefined ? undefined : readSecret(a.secret) };
}

/** `--threads` counts this process's threads: with --hosts it would be ignored, so giving both is a usage error. */
export function rejectThreadsWithHosts(hosts: HostsOptions | undefined, threads: string | undefined): void {
  if (hosts !== undefined && threads !== undefined) throw usageError("--threads sets this process's threads; with --hosts each host's own --threads does");
}

/** Reads a secret file: at least 16 bytes (e.g. `head -c 32 /dev/urandom > secret`). */
export function readSecret(file: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new WaferError('FILE_NOT_FOUND', `--secret ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (bytes.length < 16) throw usageError(`--secret ${file}: ${bytes.length} bytes; a secret needs at least 16 (e.g. head -c 32 /dev/urandom > ${file})`);
  return bytes;
}
