// `wafer kernel gemm|gemv|compare`: run one mesh kernel on seeded random inputs, check it against the
// plain reference, and report modeled cycles beside wall time; or compare the algorithms over mesh sizes.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { ensureParentDir } from '../output-file.js';
import type { Argv } from 'yargs';
import { parseMesh, usageError, type MachineSpec, type MeshShape } from '@wafer/arch';
import { Fabric, type HostsOptions } from '@wafer/fabric';
import { hostsFromArgs, hostsOptions, rejectThreadsWithHosts, type HostsArgs } from '../hosts-flags.js';
import { maxAbsError, refGemm, refGemv, refShift, runGemm, runGemv, runShift, type GemmAlgo, type KernelResult } from '@wafer/kernels';
import { profileJson, profileText, type PhaseProfileResult } from '@wafer/observe';
import type { RunReport } from '@wafer/fabric';
import { finishObserver, OBSERVE_FLAGS, observeOptions, planObserve, startObserver, type ObserveArgs, type ObservePlan } from '../observe-flags.js';
import { choiceFlag, intFlag } from '../flags.js';
import { loadMachine } from '../machine-file.js';
import type { Context } from '../context.js';
import { seededUniform } from '../random.js';

const GEMM_ALGOS = ['meshgemm', 'cannon', 'summa'] as const;
const GEMV_ALGOS = ['meshgemv', 'pipeline', 'ring'] as const;
const STRATEGY = { meshgemv: 'ktree', pipeline: 'pipeline', ring: 'ring' } as const;

export function kernelBuilder(y: Argv): Argv {
  return observeOptions(hostsOptions(y), 'the kernel run')
    .positional('op', { type: 'string', choices: ['gemm', 'gemv', 'shift', 'compare'], describe: 'kernel to run (shift: every core passes its block one hop east), or compare all algorithms' })
    .option('algo', { type: 'string', describe: `gemm: ${GEMM_ALGOS.join('|')}; gemv: ${GEMV_ALGOS.join('|')}` })
    .option('mesh', { type: 'string', default: '4', describe: 'P (P×P) or RxC; for compare, a comma list of P' })
    .option('m', { type: 'string', describe: 'rows of A (gemm; 1 for gemv)' })
    .option('k', { type: 'string', default: '256', describe: 'inner dimension (gemv: input length)' })
    .option('n', { type: 'string', defaultDescription: '256 (shift: 16)', describe: 'columns of B (gemv: output length; shift: values per core)' })
    .option('groups', { type: 'string', describe: 'K-tree groups G (default round(√P))' })
    .option('axis', { type: 'string', default: 'y', describe: 'gemv reduction axis: y or x' })
    .option('threads', { alias: 't', type: 'string', defaultDescription: '1', describe: 'worker threads (with --hosts, each host sets its own)' })
    .option('machine', { type: 'string', default: 'wse2', describe: 'machine preset name or JSON file' })
    .option('seed', { type: 'string', default: '1', describe: 'input seed' })
    .option('counters', { type: 'string', describe: 'write per-core and per-link counters of the run to this JSON file' })
    .option('json', { type: 'boolean', default: false });
}

interface KernelArgs extends ObserveArgs, HostsArgs {
  op: 'gemm' | 'gemv' | 'shift' | 'compare';
  algo?: string;
  mesh: string;
  m?: string;
  k: string;
  n?: string;
  groups?: string;
  axis: string;
  threads?: string;
  machine: string;
  seed: string;
  counters?: string;
  json: boolean;
}

/** Checksum of a float32 result: sha256 of its bytes, first 16 hex digits. */
export function checksum(a: Float32Array): string {
  return createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex').slice(0, 16);
}

interface OneRun {
  op: 'gemm' | 'gemv' | 'shift';
  algo: string;
  mesh: MeshShape;
  threads: number;
  machine: MachineSpec;
  m: number;
  k: number;
  n: number;
  groups?: number;
  axis: 'x' | 'y';
  seed: number;
  countersFile?: string;
  /** The observability flags' plan (wafer kernel gemm|gemv|shift only). */
  plan?: ObservePlan;
  ctx?: Context;
  hosts?: HostsOptions;
}

async function runOne(o: OneRun): Promise<{ out: Record<string, unknown>; profile?: PhaseProfileResult }> {
  const fabric = await Fabric.start({ machine: o.machine, mesh: o.mesh, threads: o.threads, sramUnlimited: true, observe: o.plan?.observe, hosts: o.hosts });
  const label = o.op === 'shift' ? `shift of ${o.n} values per core` : `${o.op} ${o.algo} ${o.op === 'gemm' ? `${o.m}x${o.k}x${o.n}` : `[1x${o.k}]x[${o.k}x${o.n}]`}`;
  const observer = o.plan ? startObserver(o.plan, o.mesh, o.machine, `wafer kernel ${label} on ${o.machine.name} ${o.mesh.rows}x${o.mesh.cols}`) : null;
  try {
    let result: KernelResult<RunReport>;
    let reference: Float32Array;
    if (o.op === 'shift') {
      const blocks = seededUniform(o.seed, o.mesh.rows * o.mesh.cols * o.n);
      reference = refShift(blocks, o.mesh.rows, o.mesh.cols, o.n);
      result = await runShift(fabric, blocks, o.n);
    } else if (o.op === 'gemm') {
      const a = seededUniform(o.seed, o.m * o.k);
      const b = seededUniform(o.seed + 1, o.k * o.n);
      reference = refGemm(a, b, o.m, o.k, o.n);
      result = await runGemm(fabric, o.algo as GemmAlgo, a, b, o.m, o.k, o.n);
    } else {
      const x = seededUniform(o.seed, o.k);
      const w = seededUniform(o.seed + 1, o.k * o.n);
      reference = refGemv(x, w, o.k, o.n);
      result = await runGemv(fabric, x, w, o.k, o.n, { axis: o.axis, strategy: STRATEGY[o.algo as keyof typeof STRATEGY], groups: o.groups });
    }
    const r = result.report;
    if (o.countersFile) await writeCounters(fabric, o.countersFile);
    const maxError = maxAbsError(result.out, reference);
    observer?.add('kernel', label, r);
    const profile = observer && o.plan!.profile ? observer.profileResults()[0] : undefined;
    if (observer) {
      const modeledUs = (r.modeledCycles / o.machine.clockHz) * 1e6;
      const { notes } = finishObserver(observer, o.plan!, {
        title: `wafer kernel ${label} on ${o.machine.name} ${o.mesh.rows}x${o.mesh.cols}, ${o.threads} thread(s)`,
        config: { op: o.op, algo: o.algo, machine: o.machine.name, mesh: `${o.mesh.rows}x${o.mesh.cols}`, threads: o.threads, m: o.op === 'shift' ? null : o.m, k: o.op === 'shift' ? null : o.k, n: o.n, seed: o.seed },
        summary: [
          ['kernel run', `${r.modeledCycles.toLocaleString('en-US')} cycles (${modeledUs.toFixed(2)} µs)`, `${r.wallMs.toFixed(1)} ms`],
          ['messages', r.messages.toLocaleString('en-US'), '–'],
          ['largest error against the reference', String(maxError), '–'],
        ],
        machine: o.machine,
        mesh: o.mesh,
        threads: o.threads,
        tiles: fabric.tiles,
      });
      o.ctx?.stderr.write(notes);
    }
    const out = {
      op: o.op,
      algo: o.algo,
      mesh: { rows: o.mesh.rows, cols: o.mesh.cols },
      threads: fabric.threads,
      ...(o.hosts ? { hosts: o.hosts.addresses.length, cross_host_messages: (r as RunReport).crossHost?.messages, cross_host_bytes: (r as RunReport).crossHost?.bytes } : {}),
      machine: o.machine.name,
      shape: { m: o.m, k: o.k, n: o.n },
      max_abs_error: maxError,
      checksum: checksum(result.out),
      modeled_cycles: r.modeledCycles,
      modeled_us: (r.modeledCycles / o.machine.clockHz) * 1e6,
      wall_ms: r.wallMs,
      messages: r.messages,
      max_hops_per_transfer: r.maxHopsPerTransfer,
      max_routes_per_router: r.maxRoutesPerRouter,
      sram_peak_bytes_per_core: r.sramPeakBytesPerCore,
      ...(profile ? { profile: profileJson(profile) } : {}),
    };
    return { out, profile };
  } finally {
    await fabric.close();
  }
}

export async function kernelCommand(argv: KernelArgs, ctx: Context): Promise<void> {
  const machine = loadMachine(argv.machine);
  const hosts = hostsFromArgs(argv);
  rejectThreadsWithHosts(hosts, argv.threads);
  const threads = argv.threads === undefined ? 1 : intFlag('--threads', argv.threads, { min: 1 });
  const seed = intFlag('--seed', argv.seed, { min: 0 });
  const k = intFlag('--k', argv.k, { min: 1 });
  const n = intFlag('--n', argv.n ?? (argv.op === 'shift' ? '16' : '256'), { min: 1 });
  const groups = argv.groups === undefined ? undefined : intFlag('--groups', argv.groups, { min: 1 });
  const axis = choiceFlag('--axis', argv.axis, ['x', 'y'] as const);
  if (argv.op === 'compare') {
    for (const [flag, v] of [['--algo', argv.algo], ['--counters', argv.counters], ['--groups', argv.groups], ...OBSERVE_FLAGS.map((f) => [`--${f}`, argv[f]] as const)] as const) {
      if (v !== undefined) throw usageError(`${flag} applies to one kernel run (gemm, gemv or shift), not to compare`);
    }
    return compare(argv, ctx, machine, threads, seed, k, n, hosts);
  }
  const mesh = parseMesh(argv.mesh);
  if (mesh.rows * mesh.cols < threads) throw usageError(`--threads ${threads} is more than the ${mesh.rows}x${mesh.cols} mesh's ${mesh.rows * mesh.cols} cores`);
  const line = axis === 'y' ? mesh.rows : mesh.cols;
  if (groups !== undefined && (argv.op !== 'gemv' || groups > line)) {
    throw usageError(argv.op !== 'gemv' ? '--groups applies to gemv (the K-tree allreduce)' : `--groups ${groups} is more than the ${line} cores of a reduction line`);
  }
  if (argv.op === 'shift') {
    for (const [flag, v] of [['--algo', argv.algo], ['--m', argv.m], ['--groups', argv.groups]] as const) if (v !== undefined) throw usageError(`${flag} does not apply to shift`);
  }
  const algo = argv.op === 'shift' ? 'row-shift' : argv.op === 'gemm' ? choiceFlag('--algo', argv.algo ?? 'meshgemm', GEMM_ALGOS) : choiceFlag('--algo', argv.algo ?? 'meshgemv', GEMV_ALGOS);
  const m = argv.op === 'shift' ? 1 : argv.op === 'gemv' ? intFlag('--m', argv.m ?? '1', { min: 1, max: 1 }) : intFlag('--m', argv.m ?? '256', { min: 1 });
  const plan = planObserve(argv, mesh, ctx);
  const { out, profile } = await runOne({ op: argv.op, algo, mesh, threads, machine, m, k, n, groups, axis, seed, countersFile: argv.counters, plan, ctx, hosts });
  if (argv.json) {
    ctx.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  const fields = Object.entries(out).filter(([key]) => key !== 'profile');
  ctx.stdout.write(`${fields.map(([key, v]) => `${key.padEnd(26)} ${typeof v === 'object' ? JSON.stringify(v) : v}`).join('\n')}\n`);
  if (profile !== undefined) ctx.stdout.write(profileText(profile, machine.clockHz, ''));
}

/**
 * Per-core arrays (index y·cols + x: clock, busy and wait cycles, sent/received words and messages, peak SRAM
 * bytes) and per-link arrays (index core·4 + direction N/E/S/W: messages, words, busy cycles) of the last run.
 */
async function writeCounters(fabric: Fabric, file: string): Promise<void> {
  ensureParentDir(file, '--counters');
  const c = await fabric.counters();
  const json = Object.fromEntries(Object.entries(c).map(([k, v]) => [k, Array.from(v as Float64Array)]));
  writeFileSync(file, JSON.stringify({ mesh: fabric.mesh, directions: ['N', 'E', 'S', 'W'], ...json }));
}

async function compare(argv: KernelArgs, ctx: Context, machine: MachineSpec, threads: number, seed: number, k: number, n: number, hosts: HostsOptions | undefined): Promise<void> {
  const sides = argv.mesh.split(',').map((s) => intFlag('--mesh', s, { min: 1 }));
  const m = intFlag('--m', argv.m ?? String(k), { min: 1 });
  const rows: Record<string, unknown>[] = [];
  for (const P of sides) {
    const mesh = { rows: P, cols: P };
    const t = Math.min(threads, P * P);
    const gemm: Record<string, Record<string, unknown>> = {};
    for (const algo of GEMM_ALGOS) gemm[algo] = (await runOne({ op: 'gemm', algo, mesh, threads: t, machine, m, k, n, axis: 'y', seed, hosts })).out;
    const gemv: Record<string, Record<string, unknown>> = {};
    for (const algo of GEMV_ALGOS) gemv[algo] = (await runOne({ op: 'gemv', algo, mesh, threads: t, machine, m: 1, k, n, axis: 'y', seed, hosts })).out;
    const cyc = (r: Record<string, unknown>) => r.modeled_cycles as number;
    rows.push({
      P,
      gemm_cycles: { meshgemm: cyc(gemm.meshgemm), cannon: cyc(gemm.cannon), summa: cyc(gemm.summa) },
      gemm_speedup: { vs_cannon: cyc(gemm.cannon) / cyc(gemm.meshgemm), vs_summa: cyc(gemm.summa) / cyc(gemm.meshgemm) },
      gemv_cycles: { meshgemv: cyc(gemv.meshgemv), pipeline: cyc(gemv.pipeline), ring: cyc(gemv.ring) },
      gemv_speedup: { vs_pipeline: cyc(gemv.pipeline) / cyc(gemv.meshgemv), vs_ring: cyc(gemv.ring) / cyc(gemv.meshgemv) },
    });
  }
  if (argv.json) {
    ctx.stdout.write(`${JSON.stringify({ machine: machine.name, gemm: { m, k, n }, gemv: { k, n }, rows })}\n`);
    return;
  }
  const f = (x: unknown) => Math.round(x as number).toLocaleString('en-US');
  const s = (x: unknown) => `${(x as number).toFixed(2)}×`;
  const lines = [
    `GEMM ${m}×${k}×${n} and GEMV [1×${k}]·[${k}×${n}] on ${machine.name}, modeled cycles`,
    '',
    '| P | MeshGEMM | Cannon | SUMMA | vs Cannon | vs SUMMA | MeshGEMV | pipeline | ring | vs pipeline | vs ring |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => {
      const g = r.gemm_cycles as Record<string, number>;
      const gs = r.gemm_speedup as Record<string, number>;
      const v = r.gemv_cycles as Record<string, number>;
      const vs = r.gemv_speedup as Record<string, number>;
      return `| ${r.P} | ${f(g.meshgemm)} | ${f(g.cannon)} | ${f(g.summa)} | ${s(gs.vs_cannon)} | ${s(gs.vs_summa)} | ${f(v.meshgemv)} | ${f(v.pipeline)} | ${f(v.ring)} | ${s(vs.vs_pipeline)} | ${s(vs.vs_ring)} |`;
    }),
  ];
  ctx.stdout.write(`${lines.join('\n')}\n`);
}
