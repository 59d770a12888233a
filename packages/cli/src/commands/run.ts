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

export const ENGINES = ['mesh', 'reference'] as const;

export function runBuilder(y: Argv): Argv {
  const base = y
    .option('model', { alias: 'm', type: 'string', describe: 'checkpoint: llama2.c .bin, .gguf, or a Hugging Face directory', default: DEFAULT_MODEL, defaultDescription: 'models/stories260K/stories260K.bin' })
    .option('prompt', { alias: 'p', type: 'string', default: '', describe: 'prompt text' })
    .option('n', { alias: 'n-tokens', type: 'string', default: '256', describe: 'number of new tokens to generate' });
  const sampling = samplingFlagOptions(base, '42', 'sampling seed (same seed, same text)')
    .option('tokenizer', { type: 'string', describe: 'tokenizer file (tokenizer.bin, tok512.bin or tokenizer.json)' })
    .option('engine', { type: 'string', default: 'mesh', describe: `inference engine: ${ENGINES.join(', ')}` });
  return meshFlagOptions(sampling).option('json', { type: 'boolean', default: false, describe: 'print one JSON object instead of streaming text' });
}

interface RunArgs extends SamplingFlagArgs, MeshFlagArgs {
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
