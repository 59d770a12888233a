// The mesh engine's flags (--mesh, --region, --prefill-region, --decode-region, --threads, --machine, --allreduce,
// --groups, --sram, --prefill, --spin, --profile-wall, and the tile hosts' --hosts, --host-split, --secret),
// shared by `wafer run`, `wafer bench` and `wafer serve`: one declaration and one parser, every bad value a usage error.
// A new mesh flag is one entry in meshFlagOptions, MESH_FLAGS and parseMeshFlags.
import type { Argv } from 'yargs';
import { parseMesh, parseRegion, usageError, type MeshShape } from '@wafer/arch';
import type { MeshEngineOptions } from '@wafer/llama';
import { choiceFlag, intFlag } from './flags.js';
import { loadMachine } from './machine-file.js';
import { hostsFromArgs, hostsOptions, rejectThreadsWithHosts, type HostsArgs } from './hosts-flags.js';

/** Flags that only the mesh engine reads: giving one with --engine reference is a usage error, not ignored. */
export const MESH_FLAGS = ['mesh', 'region', 'prefill-region', 'decode-region', 'threads', 'machine', 'allreduce', 'groups', 'sram', 'prefill', 'spin', 'profile-wall', 'hosts', 'host-split', 'secret'] as const;

/** The mesh flags as yargs gives them (strings, validated by parseMeshFlags). */
export type MeshFlagArgs = Partial<Record<Exclude<(typeof MESH_FLAGS)[number], 'profile-wall' | 'hosts' | 'host-split' | 'secret'>, string>> & { 'profile-wall'?: boolean } & Partial<HostsArgs>;

/** Declares the mesh flags on a command. */
export function meshFlagOptions(y: Argv): Argv {
  return hostsOptions(y)
    .option('mesh', { type: 'string', defaultDescription: '8x8', describe: 'mesh engine: P or RxC cores' })
    .option('region', { type: 'string', describe: 'mesh engine: cut the mesh into P or RxC regions and place contiguous blocks of layers on them, as many per region as its SRAM holds (default: every layer on the whole mesh)' })
    .option('prefill-region', { type: 'string', describe: 'mesh engine: square P regions the MeshGEMM prefill runs on (default --region); weights and KV cache move to the decode regions over the fabric' })
    .option('decode-region', { type: 'string', describe: 'mesh engine: P or RxC regions decode runs on (default --region)' })
    .option('threads', { alias: 't', type: 'string', describe: 'mesh engine: worker threads (default 2, or 1 on a 1x1 mesh)' })
    .option('machine', { type: 'string', defaultDescription: 'wse2', describe: 'mesh engine: machine preset (wse2, wse3, dev) or JSON file' })
    .option('allreduce', { type: 'string', defaultDescription: 'ktree', describe: 'mesh engine: allreduce strategy (ktree, pipeline, ring)' })
    .option('groups', { type: 'string', describe: 'mesh engine: K-tree groups (default round(√P))' })
    .option('spin', { type: 'string', defaultDescription: 'auto', describe: "mesh engine: microseconds an idle thread polls before sleeping ('auto': 50 when threads <= cores, else 0; 0: never busy-waits)" })
    .option('sram', { type: 'string', defaultDescription: 'enforce', describe: "mesh engine: 'enforce' the per-core SRAM budget, or 'unlimited' (report overflow)" })
    .option('prefill', { type: 'string', describe: "mesh engine: prompt processing, 'meshgemm' (batched) or 'decode' (token by token)", defaultDescription: 'meshgemm when its weights fit, else decode' })
    .option('profile-wall', { type: 'boolean', describe: "mesh engine: report where this machine's wall time went (local kernels, waiting for other threads, rings, GC, the rest)" });
}

/** A mesh flag (or one of `more`, flags only the mesh engine reads) given with another engine is a usage error, not ignored. */
export function rejectMeshFlags(argv: MeshFlagArgs, engine: string, more: readonly string[] = []): void {
  const given = [...MESH_FLAGS, ...more].find((f) => (argv as Record<string, unknown>)[f] !== undefined);
  if (given !== undefined) throw usageError(`--${given} applies to the mesh engine, not to --engine ${engine}`);
}

/** Validates the mesh flags into MeshLlama.create's options (without logger and progress callbacks). */
export function parseMeshFlags(argv: MeshFlagArgs): Omit<MeshEngineOptions, 'logger' | 'onPlace'> {
  const meshText = argv.mesh ?? '8x8';
  const mesh = parseMesh(meshText);
  const hosts = hostsFromArgs(argv);
  rejectThreadsWithHosts(hosts, argv.threads);
  const threads = argv.threads === undefined ? Math.min(2, mesh.rows * mesh.cols) : intFlag('--threads', argv.threads, { min: 1 });
  if (threads > mesh.rows * mesh.cols) throw usageError(`--threads ${threads} is more than the ${mesh.rows}x${mesh.cols} mesh's ${mesh.rows * mesh.cols} cores`);
  const machine = loadMachine(argv.machine ?? 'wse2');
  if (mesh.rows > machine.mesh.maxRows || mesh.cols > machine.mesh.maxCols) {
    throw usageError(`--mesh ${meshText} is larger than machine ${machine.name}'s ${machine.mesh.maxRows}x${machine.mesh.maxCols} cores`);
  }
  return {
    mesh,
    ...regionFlags(argv, mesh),
    threads,
    machine,
    strategy: choiceFlag('--allreduce', argv.allreduce ?? 'ktree', ['ktree', 'pipeline', 'ring'] as const),
    groups: argv.groups === undefined ? undefined : intFlag('--groups', argv.groups, { min: 1, max: Math.min(mesh.rows, mesh.cols) }),
    sramUnlimited: choiceFlag('--sram', argv.sram ?? 'enforce', ['enforce', 'unlimited'] as const) === 'unlimited',
    spinMicros: argv.spin === undefined || argv.spin === 'auto' ? undefined : intFlag('--spin', argv.spin, { min: 0, max: 1_000_000 }),
    prefill: argv.prefill === undefined ? ('auto' as const) : choiceFlag('--prefill', argv.prefill, ['meshgemm', 'decode'] as const),
    profileWall: argv['profile-wall'] === true,
    hosts,
  };
}

/** --region, --prefill-region and --decode-region, each checked against the mesh. */
export function regionFlags(argv: { region?: string; 'prefill-region'?: string; 'decode-region'?: string }, mesh: MeshShape) {
  const parse = (flag: string, text: string | undefined) => (text === undefined ? undefined : parseRegion(text, mesh, flag));
  return { region: parse('--region', argv.region), prefillRegion: parse('--prefill-region', argv['prefill-region']), decodeRegion: parse('--decode-region', argv['decode-region']) };
}
