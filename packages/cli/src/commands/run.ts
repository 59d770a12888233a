// `wafer run`: load a checkpoint, encode the prompt, generate, stream text to stdout (or one JSON object).
import type { Argv } from 'yargs';
import { WaferError } from '@wafer/arch';
import { generate, loadModel, loadTokenizer, MeshLlama, ReferenceLlama, Sampler, type ForwardEngine, type GenerationResult } from '@wafer/llama';
import { choiceFlag, intFlag } from '../flags.js';
import { meshFlagOptions, parseMeshFlags, rejectMeshFlags, type MeshFlagArgs } from '../mesh-flags.js';
import { parseSamplingFlags, samplingFlagOptions, type SamplingFlagArgs } from '../sampling-flags.js';
import { DEFAULT_MODEL } from '../paths.js';
import type { Context } from '../context.js';
import { wallProfileReport } from '../wall-profile-report.js';
import { meshReport, type MeshRunSummary } from '../mesh-report.js';
import { placementProgress } from '../progress.js';
import { finishObserver, OBSERVE_FLAGS, observeOptions, planObserve, startObserver, type ObserveArgs, type ObservePlan } from '../observe-flags.js';
import { profileJson, profileText, type RunObserver } from '@wafer/observe';

export const ENGINES = ['mesh', 'reference'] as const;

export function runBuilder(y: Argv): Argv {
  const base = observeOptions(y, 'the prompt and of each decode step (mesh engine)')
    .option('model', { alias: 'm', type: 'string', describe: 'checkpoint: llama2.c .bin, .gguf, or a Hugging Face directory', default: DEFAULT_MODEL, defaultDescription: 'models/stories260K/stories260K.bin' })
    .option('prompt', { alias: 'p', type: 'string', default: '', describe: 'prompt text' })
    .option('n', { alias: 'n-tokens', type: 'string', default: '256', describe: 'number of new tokens to generate' });
  const sampling = samplingFlagOptions(base, '42', 'sampling seed (same seed, same text)')
    .option('tokenizer', { type: 'string', describe: 'tokenizer file (tokenizer.bin, tok512.bin or tokenizer.json)' })
    .option('engine', { type: 'string', default: 'mesh', describe: `inference engine: ${ENGINES.join(', ')}` });
  return meshFlagOptions(sampling).option('json', { type: 'boolean', default: false, describe: 'print one JSON object instead of streaming text' });
}

interface RunArgs extends SamplingFlagArgs, MeshFlagArgs, ObserveArgs {
  model: string;
  prompt: string;
  n: string;
  seed: string;
  tokenizer?: string;
  engine: string;
  json: boolean;
}

export async function runCommand(argv: RunArgs, ctx: Context): Promise<void> {
  const maxNewTokens = intFlag('-n', argv.n, { min: 0 });
  const sampling = parseSamplingFlags(argv);
  const sampler = new Sampler({ ...sampling, seed: sampling.seed! });
  const engineName = choiceFlag('--engine', argv.engine, ENGINES);
  if (engineName !== 'mesh') rejectMeshFlags(argv, engineName, OBSERVE_FLAGS);
  const meshOpts = engineName === 'mesh' ? parseMeshFlags(argv) : undefined;
  const model = loadModel(argv.model, { tokenizerPath: argv.tokenizer });
  const tokenizer = loadTokenizer(model, argv.tokenizer);
  ctx.log.debug({ model: argv.model, format: model.format, config: model.config }, 'model loaded');
  const promptIds = tokenizer.encode(argv.prompt, { bos: true });
  if (promptIds.length > model.config.seqLen) {
    throw new WaferError('PROMPT_TOO_LONG', `the prompt has ${promptIds.length} tokens but the model's context length is ${model.config.seqLen}`);
  }
  const plan = meshOpts ? planObserve(argv, meshOpts.mesh, ctx) : undefined;
  let observer: RunObserver | null = null;
  const progress = meshOpts ? placementProgress(model.config.nLayers, !argv.json && ctx.stderr === process.stderr) : undefined;
  let mesh: MeshLlama | undefined;
  ctx.interrupted.throwIfAborted();
  try {
    mesh = meshOpts
      ? await MeshLlama.create(model, { ...meshOpts, logger: ctx.log, onPlace: progress?.onPlace, observe: plan?.observe, onRun: (s) => observer?.add(s.phase, `${s.phase} pos ${s.pos}`, s.report) })
      : undefined;
  } finally {
    progress?.stop();
  }
  if (mesh && plan) observer = startObserver(plan, meshOpts!.mesh, meshOpts!.machine, `wafer run -m ${argv.model} on ${meshOpts!.machine.name} ${meshOpts!.mesh.rows}x${meshOpts!.mesh.cols}: ${JSON.stringify(argv.prompt)}`);
  const engine: ForwardEngine = mesh ?? new ReferenceLlama(model);
  try {
    await generateAndReport(argv, ctx, engine, engineName, model.format, promptIds, tokenizer, sampler, maxNewTokens, model, mesh, observer && plan ? { observer, plan } : undefined);
  } finally {
    if (mesh) await mesh.close();
  }
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
  obs: { observer: RunObserver; plan: ObservePlan } | undefined,
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
  const profiles = obs?.plan.profile ? obs.observer.profileResults() : [];
  const observed = obs && mesh && summary ? finishObserver(obs.observer, obs.plan, {
    title: `${argv.model.split('/').pop()} on ${mesh.fabric.machine.name} ${mesh.fabric.mesh.rows}x${mesh.fabric.mesh.cols}, ${mesh.fabric.threads} thread(s): ${r.promptTokens.length} prompt tokens, ${r.generatedTokens.length} generated`,
    config: runConfig(argv, format, mesh, r.promptTokens.length, r.generatedTokens.length, sampler),
    summary: runSummaryRows(summary.json, ttftS, decodeTokS),
    machine: mesh.fabric.machine,
    mesh: mesh.fabric.mesh,
    threads: mesh.fabric.threads,
    tiles: mesh.fabric.tiles,
  }) : undefined;
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
      ...(profiles.length > 0 ? { profile: Object.fromEntries(profiles.map((p) => [p.group, profileJson(p)])) } : {}),
    })}\n`);
    if (observed) ctx.stderr.write(observed.notes);
    return;
  }
  out.write('\n');
  ctx.stderr.write(
    `\n[wafer] ${engineName} engine · prompt ${r.promptTokens.length} tokens · generated ${r.generatedTokens.length} (stop: ${r.stopDetail})\n` +
      `[wafer] wall: time to first token ${(ttftS * 1000).toFixed(1)} ms · decode ${decodeTokS.toFixed(1)} tok/s\n` +
      (summary ? summary.text : '') +
      (wallProfile ? wallProfile.text : '') +
      profiles.map((p) => profileText(p, mesh!.fabric.machine.clockHz)).join('') +
      (observed ? observed.notes : ''),
  );
}

/** The settings a report page shows for a generation. */
function runConfig(argv: RunArgs, format: string, mesh: MeshLlama, promptTokens: number, generated: number, sampler: Sampler): Record<string, string | number | boolean | null> {
  const f = mesh.fabric;
  return {
    model: argv.model,
    format,
    machine: f.machine.name,
    mesh: `${f.mesh.rows}x${f.mesh.cols}`,
    threads: f.threads,
    allreduce: argv.allreduce ?? 'ktree',
    prefill: mesh.lastPrefill ?? mesh.prefillMode,
    'prompt tokens': promptTokens,
    'generated tokens': generated,
    temperature: sampler.options.temperature,
    seed: sampler.options.seed,
    sram: argv.sram ?? 'enforce',
  };
}

/** Modeled beside wall-clock figures of a generation, for the report page. */
function runSummaryRows(json: Record<string, unknown>, ttftS: number, decodeTokS: number): [string, string, string][] {
  const m = json.modeled as { prefill_cycles: number; ttft_s: number; decode_tok_s: number | null; decode_cycles_per_token: number | null };
  const sram = json.sram as { peak_bytes_per_core: number; budget_bytes_per_core: number };
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return [
    ['time to first token', `${(m.ttft_s * 1e6).toFixed(1)} µs (${n(m.prefill_cycles)} cycles)`, `${(ttftS * 1000).toFixed(1)} ms`],
    ['decode', m.decode_tok_s === null ? '–' : `${n(m.decode_tok_s)} tok/s (${n(m.decode_cycles_per_token!)} cycles per token)`, decodeTokS > 0 ? `${decodeTokS.toFixed(1)} tok/s` : '–'],
    ['SRAM peak per core', `${n(sram.peak_bytes_per_core)} of ${n(sram.budget_bytes_per_core)} bytes`, '–'],
  ];
}
