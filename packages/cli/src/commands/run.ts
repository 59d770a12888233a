// `wafer run`: load a checkpoint, encode the prompt, generate, stream text to stdout (or one JSON object).
import type { Argv } from 'yargs';
import { parseMesh, usageError, WaferError } from '@wafer/arch';
import { generate, loadModel, loadTokenizer, MeshLlama, ReferenceLlama, Sampler, type ForwardEngine, type GenerationResult } from '@wafer/llama';
import { choiceFlag, intFlag, numFlag } from '../flags.js';
import { loadMachine } from '../machine-file.js';
import { DEFAULT_MODEL } from '../paths.js';
import type { Context } from '../context.js';
import { wallProfileReport } from '../wall-profile-report.js';
import { meshReport, type MeshRunSummary } from '../mesh-report.js';
import { placementProgress } from '../progress.js';
import { hostsFromArgs, hostsOptions, type HostsArgs } from '../hosts-flags.js';

export const ENGINES = ['mesh', 'reference'] as const;

export function runBuilder(y: Argv): Argv {
  return hostsOptions(y)
    .option('model', { alias: 'm', type: 'string', describe: 'checkpoint: llama2.c .bin, .gguf, or a Hugging Face directory', default: DEFAULT_MODEL, defaultDescription: 'models/stories260K/stories260K.bin' })
    .option('prompt', { alias: 'p', type: 'string', default: '', describe: 'prompt text' })
    .option('n', { alias: 'n-tokens', type: 'string', default: '256', describe: 'number of new tokens to generate' })
    .option('temp', { type: 'string', default: '1.0', describe: 'temperature; 0 is greedy' })
    .option('top-k', { type: 'string', default: '0', describe: 'keep the k most probable tokens (0: all)' })
    .option('top-p', { type: 'string', default: '0.9', describe: 'nucleus sampling mass in (0, 1]' })
    .option('seed', { type: 'string', default: '42', describe: 'sampling seed (same seed, same text)' })
    .option('tokenizer', { type: 'string', describe: 'tokenizer file (tokenizer.bin, tok512.bin or tokenizer.json)' })
    .option('engine', { type: 'string', default: 'mesh', describe: `inference engine: ${ENGINES.join(', ')}` })
    .option('mesh', { type: 'string', defaultDescription: '8x8', describe: 'mesh engine: P or RxC cores' })
    .option('threads', { alias: 't', type: 'string', describe: 'mesh engine: worker threads (default 2, or 1 on a 1x1 mesh)' })
    .option('machine', { type: 'string', defaultDescription: 'wse2', describe: 'mesh engine: machine preset (wse2, wse3, dev) or JSON file' })
    .option('allreduce', { type: 'string', defaultDescription: 'ktree', describe: 'mesh engine: allreduce strategy (ktree, pipeline, ring)' })
    .option('groups', { type: 'string', describe: 'mesh engine: K-tree groups (default round(√P))' })
    .option('spin', { type: 'string', defaultDescription: 'auto', describe: "mesh engine: microseconds an idle thread polls before sleeping ('auto': 50 when threads <= cores, else 0; 0: never busy-waits)" })
    .option('sram', { type: 'string', defaultDescription: 'enforce', describe: "mesh engine: 'enforce' the per-core SRAM budget, or 'unlimited' (report overflow)" })
    .option('prefill', { type: 'string', describe: "mesh engine: prompt processing, 'meshgemm' (batched) or 'decode' (token by token)", defaultDescription: 'meshgemm when its weights fit, else decode' })
    .option('profile-wall', { type: 'boolean', describe: "mesh engine: report where this machine's wall time went (local kernels, waiting for other threads, rings, GC, the rest)" })
    .option('json', { type: 'boolean', default: false, describe: 'print one JSON object instead of streaming text' });
}

interface RunArgs extends HostsArgs {
  model: string;
  prompt: string;
  n: string;
  temp: string;
  'top-k': string;
  'top-p': string;
  seed: string;
  tokenizer?: string;
  engine: string;
  mesh?: string;
  threads?: string;
  machine?: string;
  allreduce?: string;
  groups?: string;
  sram?: string;
  prefill?: string;
  spin?: string;
  'profile-wall'?: boolean;
  json: boolean;
}

export async function runCommand(argv: RunArgs, ctx: Context): Promise<void> {
  const maxNewTokens = intFlag('-n', argv.n, { min: 0 });
  const sampler = new Sampler({
    temperature: numFlag('--temp', argv.temp, { min: 0 }),
    topK: intFlag('--top-k', argv['top-k'], { min: 0 }),
    topP: numFlag('--top-p', argv['top-p'], { min: 0, minExclusive: true, max: 1 }),
    seed: intFlag('--seed', argv.seed, { min: 1 }),
  });
  const engineName = choiceFlag('--engine', argv.engine, ENGINES);
  if (engineName !== 'mesh') rejectMeshFlags(argv, engineName);
  const meshOpts = engineName === 'mesh' ? parseMeshFlags(argv) : undefined;
  const model = loadModel(argv.model, { tokenizerPath: argv.tokenizer });
  const tokenizer = loadTokenizer(model, argv.tokenizer);
  ctx.log.debug({ model: argv.model, format: model.format, config: model.config }, 'model loaded');
  const promptIds = tokenizer.encode(argv.prompt, { bos: true });
  if (promptIds.length > model.config.seqLen) {
    throw new WaferError('PROMPT_TOO_LONG', `the prompt has ${promptIds.length} tokens but the model's context length is ${model.config.seqLen}`);
  }
  const progress = meshOpts ? placementProgress(model.config.nLayers, !argv.json && ctx.stderr === process.stderr) : undefined;
  let mesh: MeshLlama | undefined;
  try {
    mesh = meshOpts ? await MeshLlama.create(model, { ...meshOpts, logger: ctx.log, onPlace: progress?.onPlace }) : undefined;
  } finally {
    progress?.stop();
  }
  const engine: ForwardEngine = mesh ?? new ReferenceLlama(model);
  try {
    await generateAndReport(argv, ctx, engine, engineName, model.format, promptIds, tokenizer, sampler, maxNewTokens, model, mesh);
  } finally {
    if (mesh) await mesh.close();
  }
}

/** Flags that only the mesh engine reads: giving one with --engine reference is a usage error, not ignored. */
const MESH_FLAGS = ['mesh', 'threads', 'machine', 'allreduce', 'groups', 'sram', 'prefill', 'spin', 'profile-wall', 'hosts', 'secret'] as const;

export function rejectMeshFlags(argv: Partial<Record<(typeof MESH_FLAGS)[number], string | boolean>>, engine: string): void {
  const given = MESH_FLAGS.find((f) => argv[f] !== undefined);
  if (given !== undefined) throw usageError(`--${given} applies to the mesh engine, not to --engine ${engine}`);
}

function parseMeshFlags(argv: RunArgs) {
  const meshText = argv.mesh ?? '8x8';
  const mesh = parseMesh(meshText);
  const hosts = hostsFromArgs(argv);
  if (hosts !== undefined && argv.threads !== undefined) throw usageError("--threads sets this process's threads; with --hosts each host's own --threads does");
  const threads = argv.threads === undefined ? Math.min(2, mesh.rows * mesh.cols) : intFlag('--threads', argv.threads, { min: 1 });
  if (threads > mesh.rows * mesh.cols) throw usageError(`--threads ${threads} is more than the ${mesh.rows}x${mesh.cols} mesh's ${mesh.rows * mesh.cols} cores`);
  const machine = loadMachine(argv.machine ?? 'wse2');
  if (mesh.rows > machine.mesh.maxRows || mesh.cols > machine.mesh.maxCols) {
    throw usageError(`--mesh ${meshText} is larger than machine ${machine.name}'s ${machine.mesh.maxRows}x${machine.mesh.maxCols} cores`);
  }
  return {
    mesh,
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

async function generateAndReport(
  argv: RunArgs,
  ctx: Context,
  engine: ForwardEngine,
  engineName: string,
  format: string,
  promptIds: number[],
  tokenizer: ReturnType<typeof loadTokenizer>,
  sampler: Sampler,
  maxNewTokens: number,
  model: ReturnType<typeof loadModel>,
  mesh: MeshLlama | undefined,
): Promise<void> {

  const out = ctx.stdout;
  const decoder = tokenizer.streamDecoder(tokenizer.bosId);
  if (!argv.json) for (const id of promptIds.slice(1)) out.write(decoder.push(id));
  const textDecoder = tokenizer.streamDecoder(promptIds[promptIds.length - 1]);
  let text = '';
  let result: GenerationResult | undefined;
  for await (const ev of generate(engine, promptIds, { maxNewTokens, sampler, eosId: model.eosId, bosId: model.bosId, stopOnBos: model.stopOnBos })) {
    if (ev.type === 'token') {
      const piece = textDecoder.push(ev.id);
      text += piece;
      if (!argv.json) out.write(piece);
    } else {
      result = ev.result;
    }
  }
  text += textDecoder.flush();
  const r = result!;
  const summary: MeshRunSummary | undefined = mesh ? meshReport(mesh) : undefined;
  const wallProfile = mesh ? wallProfileReport(mesh.steps.filter((s) => s.phase === 'decode').map((s) => s.report)) : null;
  if (mesh?.prefillNote !== undefined) ctx.stderr.write(`[wafer] note: ${mesh.prefillNote}\n`);
  const ttftS = r.timings.promptMs / 1000;
  const decodeTokS = r.timings.decodeForwardPasses > 0 ? r.timings.decodeForwardPasses / (r.timings.decodeMs / 1000) : 0;
  if (argv.json) {
    out.write(`${JSON.stringify({
      model: argv.model,
      format,
      engine: engineName,
      prompt: argv.prompt,
      prompt_tokens: r.promptTokens,
      tokens: r.generatedTokens,
      text,
      stop: r.stopReason,
      stop_detail: r.stopDetail,
      sampling: sampler.options,
      wall: { ttft_s: ttftS, decode_tok_s: decodeTokS, prompt_ms: r.timings.promptMs, decode_ms: r.timings.decodeMs },
      ...(summary ? summary.json : {}),
      ...(wallProfile ? { wall_profile: wallProfile.json } : {}),
    })}\n`);
    return;
  }
  out.write('\n');
  ctx.stderr.write(
    `\n[wafer] ${engineName} engine · prompt ${r.promptTokens.length} tokens · generated ${r.generatedTokens.length} (stop: ${r.stopDetail})\n` +
      `[wafer] wall: time to first token ${(ttftS * 1000).toFixed(1)} ms · decode ${decodeTokS.toFixed(1)} tok/s\n` +
      (summary ? summary.text : '') +
      (wallProfile ? wallProfile.text : ''),
  );
}
