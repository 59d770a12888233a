// `wafer bench`: llama-bench for the emulator. For each mesh and thread count, a prompt-processing row
// (pp) and a generation row (tg) with modeled and wall-clock tok/s, mean ± standard deviation over runs.
import type { Argv } from 'yargs';
import { parseMesh, usageError, type MachineSpec, type MeshShape } from '@wafer/arch';
import { loadModel, MeshLlama, ReferenceLlama, type ForwardEngine, type ModelDescription } from '@wafer/llama';
import { choiceFlag, intFlag } from '../flags.js';
import { loadMachine } from '../machine-file.js';
import { DEFAULT_MODEL } from '../paths.js';
import { regionFlags, rejectMeshFlags } from '../mesh-flags.js';
import { hostsFromArgs, hostsOptions, rejectThreadsWithHosts, type HostsArgs } from '../hosts-flags.js';
import type { Context } from '../context.js';
import { PhaseProfile, profileJson, profileText } from '@wafer/observe';

export function benchBuilder(y: Argv): Argv {
  return hostsOptions(y)
    .option('model', { alias: 'm', type: 'string', default: DEFAULT_MODEL, defaultDescription: 'models/stories260K/stories260K.bin' })
    .option('engine', { type: 'string', default: 'mesh', describe: 'mesh or reference' })
    .option('mesh', { type: 'string', defaultDescription: '8x8', describe: 'comma list of meshes (P or RxC)' })
    .option('region', { type: 'string', describe: 'cut each mesh into P or RxC regions holding contiguous blocks of layers (default: the whole mesh)' })
    .option('prefill-region', { type: 'string', describe: 'square P regions of the MeshGEMM prefill (default --region)' })
    .option('decode-region', { type: 'string', describe: 'P or RxC regions of decode (default --region)' })
    .option('threads', { alias: 't', type: 'string', defaultDescription: '1,2', describe: 'comma list of thread counts' })
    .option('machine', { type: 'string', defaultDescription: 'wse2' })
    .option('sram', { type: 'string', defaultDescription: 'enforce', describe: "'enforce' or 'unlimited'" })
    .option('spin', { type: 'string', defaultDescription: 'auto', describe: "microseconds an idle thread polls before sleeping ('auto': 50 when threads <= cores, else 0)" })
    .option('p', { alias: 'n-prompt', type: 'string', default: '32', describe: 'prompt tokens (pp row)' })
    .option('n', { alias: 'n-gen', type: 'string', default: '64', describe: 'generated tokens (tg row)' })
    .option('reps', { alias: 'r', type: 'string', default: '3', describe: 'repetitions' })
    .option('profile', { type: 'boolean', describe: 'mesh engine: add the per-phase profile of the measured prompts (pp) and decode steps (tg) to each row' })
    .option('json', { type: 'boolean', default: false });
}

interface BenchArgs extends HostsArgs {
  model: string;
  engine: string;
  mesh?: string;
  region?: string;
  'prefill-region'?: string;
  'decode-region'?: string;
  threads?: string;
  machine?: string;
  sram?: string;
  spin?: string;
  p: string;
  n: string;
  reps: string;
  profile?: boolean;
  json: boolean;
}

export interface BenchRow {
  model: string;
  engine: string;
  machine: string | null;
  mesh: string | null;
  threads: number;
  test: string; // pp<N> or tg<N>
  modeled_tok_s: { mean: number; sd: number } | null;
  wall_tok_s: { mean: number; sd: number };
  /** With --profile: where the modeled time of the row's runs went (every measured repetition). */
  profile?: Record<string, unknown>;
}

function stats(xs: number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, sd };
}

/** A deterministic prompt of n tokens: BOS, then ids spread over the vocabulary (no control tokens). */
function benchPrompt(model: ModelDescription, n: number): number[] {
  const v = model.config.vocabSize;
  return Array.from({ length: n }, (_, i) => (i === 0 ? model.bosId : 3 + ((i * 7919) % (v - 3))));
}

/** Steps recorded by a mesh engine so far (0 for the reference engine). */
function stepCount(engine: ForwardEngine): number {
  return engine instanceof MeshLlama ? engine.steps.length : 0;
}

async function oneRun(engine: ForwardEngine, prompt: number[], gen: number): Promise<{ ppMs: number; tgMs: number; firstDecodeStep: number }> {
  const t0 = performance.now();
  let logits: Float32Array = new Float32Array(0);
  if (engine.prefill) logits = await engine.prefill(prompt);
  else for (let pos = 0; pos < prompt.length; pos++) logits = await engine.forward(prompt[pos], pos);
  const t1 = performance.now();
  const firstDecodeStep = stepCount(engine);
  for (let i = 0; i < gen; i++) {
    let next = 0;
    for (let k = 1; k < logits.length; k++) if (logits[k] > logits[next]) next = k;
    logits = await engine.forward(next, prompt.length + i);
  }
  return { ppMs: t1 - t0, tgMs: performance.now() - t1, firstDecodeStep };
}

export async function benchCommand(argv: BenchArgs, ctx: Context): Promise<void> {
  const engineName = choiceFlag('--engine', argv.engine, ['mesh', 'reference'] as const);
  const promptLen = intFlag('-p', argv.p, { min: 1 });
  const gen = intFlag('-n', argv.n, { min: 1 });
  const reps = intFlag('--reps', argv.reps, { min: 1 });
  if (engineName !== 'mesh') rejectMeshFlags(argv, engineName, ['profile']);
  const sramUnlimited = choiceFlag('--sram', argv.sram ?? 'enforce', ['enforce', 'unlimited'] as const) === 'unlimited';
  const spinMicros = argv.spin === undefined || argv.spin === 'auto' ? undefined : intFlag('--spin', argv.spin, { min: 0, max: 1_000_000 });
  const meshes: (MeshShape | null)[] = engineName === 'mesh' ? (argv.mesh ?? '8x8').split(',').map((m) => parseMesh(m)) : [null];
  const hosts = engineName === 'mesh' ? hostsFromArgs(argv) : undefined;
  rejectThreadsWithHosts(hosts, argv.threads);
  // With --hosts, one row per mesh: the hosts' own thread counts apply.
  const threadList = engineName === 'mesh' ? (argv.threads ?? (hosts ? '1' : '1,2')).split(',').map((t) => intFlag('--threads', t, { min: 1 })) : [1];
  const machine: MachineSpec | null = engineName === 'mesh' ? loadMachine(argv.machine ?? 'wse2') : null;
  const model = loadModel(argv.model);
  if (promptLen + gen > model.config.seqLen) throw usageError(`-p ${promptLen} plus -n ${gen} exceeds the model's context of ${model.config.seqLen}`);
  const prompt = benchPrompt(model, promptLen);
  const rows: BenchRow[] = [];
  const profileLines: string[] = [];
  for (const mesh of meshes) {
    for (const threads of threadList) {
      if (mesh && threads > mesh.rows * mesh.cols) {
        ctx.stderr.write(`[wafer] skipping ${mesh.rows}x${mesh.cols} with ${threads} threads: more threads than cores\n`);
        continue;
      }
      ctx.interrupted.throwIfAborted();
      const regions = mesh ? regionFlags(argv, mesh) : {};
      const engine = mesh ? await MeshLlama.create(model, { mesh, ...regions, threads, machine: machine!, sramUnlimited, spinMicros, hosts, logger: ctx.log, observe: argv.profile ? { phases: true } : undefined }) : new ReferenceLlama(model);
      const cores = mesh ? mesh.rows * mesh.cols : 0;
      const profiles = argv.profile && mesh ? { pp: new PhaseProfile('prefill', mesh.cols, cores), tg: new PhaseProfile('decode', mesh.cols, cores) } : null;
      const pp: number[] = [];
      const tg: number[] = [];
      const ppModeled: number[] = [];
      const tgModeled: number[] = [];
      try {
        await oneRun(engine, prompt.slice(0, Math.min(4, promptLen)), 2); // warm-up: JIT, program import
        for (let r = 0; r < reps; r++) {
          const before = stepCount(engine);
          const t = await oneRun(engine, prompt, gen);
          pp.push(promptLen / (t.ppMs / 1000));
          tg.push(gen / (t.tgMs / 1000));
          if (mesh) {
            // Every run up to the first logits is prompt processing; every later run is one decode step.
            const steps = (engine as MeshLlama).steps;
            const clock = machine!.clockHz;
            const prefill = steps.slice(before, t.firstDecodeStep).reduce((a, s) => a + s.report.modeledCycles, 0);
            const decode = steps.slice(t.firstDecodeStep);
            ppModeled.push(promptLen / (prefill / clock));
            tgModeled.push(clock / (decode.reduce((a, s) => a + s.report.modeledCycles, 0) / decode.length));
            if (profiles) {
              for (const s of steps.slice(before)) {
                (s.phase === 'prefill' ? profiles.pp : profiles.tg).add(s.report);
                s.report.counters = undefined; // the per-core arrays are in the profile now
              }
            }
          }
        }
      } finally {
        if (mesh) await (engine as MeshLlama).close();
      }
      const where = mesh ? `${mesh.rows}x${mesh.cols}${hosts ? ` on ${hosts.addresses.length} hosts` : ''}` : null;
      const base = { model: argv.model, engine: engineName, machine: machine?.name ?? null, mesh: where, threads: mesh ? (engine as MeshLlama).fabric.threads : threads };
      const prof = profiles ? { pp: profiles.pp.result(), tg: profiles.tg.result() } : null;
      rows.push({ ...base, test: `pp${promptLen}`, modeled_tok_s: mesh ? stats(ppModeled) : null, wall_tok_s: stats(pp), ...(prof ? { profile: profileJson(prof.pp) } : {}) });
      rows.push({ ...base, test: `tg${gen}`, modeled_tok_s: mesh ? stats(tgModeled) : null, wall_tok_s: stats(tg), ...(prof ? { profile: profileJson(prof.tg) } : {}) });
      if (prof && !argv.json) profileLines.push(...[prof.pp, prof.tg].map((p) => `\n${mesh!.rows}x${mesh!.cols}, ${threads} thread(s):\n${profileText(p, machine!.clockHz, '')}`));
    }
  }
  if (argv.json) {
    ctx.stdout.write(`${JSON.stringify({ rows })}\n`);
    return;
  }
  const f = (s: { mean: number; sd: number } | null) => (s === null ? '–' : `${s.mean >= 100 ? s.mean.toFixed(0) : s.mean.toFixed(1)} ± ${s.sd >= 100 ? s.sd.toFixed(0) : s.sd.toFixed(1)}`);
  const lines = [
    '| model | engine | machine | mesh | threads | test | modeled tok/s | wall tok/s |',
    '| --- | --- | --- | --- | ---: | --- | ---: | ---: |',
    ...rows.map((r) => `| ${r.model.split('/').pop()} | ${r.engine} | ${r.machine ?? '–'} | ${r.mesh ?? '–'} | ${r.threads} | ${r.test} | ${f(r.modeled_tok_s)} | ${f(r.wall_tok_s)} |`),
  ];
  ctx.stdout.write(`${lines.join('\n')}\n${profileLines.join('')}`);
}
