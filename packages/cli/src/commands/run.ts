// `wafer run`: load a checkpoint, encode the prompt, generate, stream text to stdout (or one JSON object).
import type { Argv } from 'yargs';
import { generate, loadModel, loadTokenizer, ReferenceLlama, Sampler, type ForwardEngine, type GenerationResult } from '@wafer/llama';
import { choiceFlag, intFlag, numFlag } from '../flags.js';
import { DEFAULT_MODEL } from '../paths.js';
import type { Context } from '../context.js';

export const ENGINES = ['reference'] as const;

export function runBuilder(y: Argv): Argv {
  return y
    .option('model', { alias: 'm', type: 'string', describe: 'checkpoint: llama2.c .bin, .gguf, or a Hugging Face directory', default: DEFAULT_MODEL, defaultDescription: 'models/stories260K/stories260K.bin' })
    .option('prompt', { alias: 'p', type: 'string', default: '', describe: 'prompt text' })
    .option('n', { alias: 'n-tokens', type: 'string', default: '256', describe: 'number of new tokens to generate' })
    .option('temp', { type: 'string', default: '1.0', describe: 'temperature; 0 is greedy' })
    .option('top-k', { type: 'string', default: '0', describe: 'keep the k most probable tokens (0: all)' })
    .option('top-p', { type: 'string', default: '0.9', describe: 'nucleus sampling mass in (0, 1]' })
    .option('seed', { type: 'string', default: '42', describe: 'sampling seed (same seed, same text)' })
    .option('tokenizer', { type: 'string', describe: 'tokenizer file (tokenizer.bin, tok512.bin or tokenizer.json)' })
    .option('engine', { type: 'string', default: 'reference', describe: `inference engine: ${ENGINES.join(', ')}` })
    .option('json', { type: 'boolean', default: false, describe: 'print one JSON object instead of streaming text' });
}

interface RunArgs {
  model: string;
  prompt: string;
  n: string;
  temp: string;
  'top-k': string;
  'top-p': string;
  seed: string;
  tokenizer?: string;
  engine: string;
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
  const model = loadModel(argv.model, { tokenizerPath: argv.tokenizer });
  const tokenizer = loadTokenizer(model, argv.tokenizer);
  ctx.log.debug({ model: argv.model, format: model.format, config: model.config }, 'model loaded');
  const engine: ForwardEngine = new ReferenceLlama(model);
  const promptIds = tokenizer.encode(argv.prompt, { bos: true });

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
  const ttftS = r.timings.promptMs / 1000;
  const decodeTokS = r.timings.decodeForwardPasses > 0 ? r.timings.decodeForwardPasses / (r.timings.decodeMs / 1000) : 0;
  if (argv.json) {
    out.write(`${JSON.stringify({
      model: argv.model,
      format: model.format,
      engine: engineName,
      prompt: argv.prompt,
      prompt_tokens: r.promptTokens,
      tokens: r.generatedTokens,
      text,
      stop: r.stopReason,
      stop_detail: r.stopDetail,
      sampling: sampler.options,
      wall: { ttft_s: ttftS, decode_tok_s: decodeTokS, prompt_ms: r.timings.promptMs, decode_ms: r.timings.decodeMs },
    })}\n`);
    return;
  }
  out.write('\n');
  ctx.stderr.write(
    `\n[wafer] ${engineName} engine · prompt ${r.promptTokens.length} tokens · generated ${r.generatedTokens.length} (stop: ${r.stopDetail})\n` +
      `[wafer] wall: time to first token ${(ttftS * 1000).toFixed(1)} ms · decode ${decodeTokS.toFixed(1)} tok/s\n`,
  );
}
