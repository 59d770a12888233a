// `wafer synth`: writes a seeded random-weight checkpoint of a named shape (or one given by flags).
import { copyFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Argv } from 'yargs';
import { usageError } from '@wafer/arch';
import { parameterCount, shapeFromFlags, synthesize, synthShape, SYNTH_SHAPE_NAMES, writeGguf, writeLlama2c } from '@wafer/llama';
import { choiceFlag, intFlag, numFlag } from '../flags.js';
import { REPO_ROOT } from '../paths.js';
import type { Context } from '../context.js';

const SHAPE_FLAGS = ['dim', 'hidden', 'layers', 'heads', 'kv-heads', 'vocab', 'seq'] as const;

export function synthBuilder(y: Argv): Argv {
  let b = y
    .option('shape', { type: 'string', describe: `named shape: ${SYNTH_SHAPE_NAMES.join(', ')}` })
    .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'output file' })
    .option('format', { type: 'string', describe: 'bin (llama2.c) or gguf; default from the file extension' })
    .option('dtype', { type: 'string', default: 'F32', describe: 'GGUF tensor type: F32, F16 or Q8_0' })
    .option('seed', { type: 'string', default: '1', describe: 'weight seed' })
    .option('rope-theta', { type: 'string', describe: 'RoPE theta (with shape flags; default 10000)' });
  for (const f of SHAPE_FLAGS) b = b.option(f, { type: 'string', describe: `${f} (instead of --shape)` });
  return b;
}

type SynthArgs = Record<(typeof SHAPE_FLAGS)[number], string | undefined> & { shape?: string; out: string; format?: string; dtype: string; seed: string; 'rope-theta'?: string };

export async function synthCommand(argv: SynthArgs, ctx: Context): Promise<void> {
  const given = SHAPE_FLAGS.filter((f) => argv[f] !== undefined);
  if (argv.shape !== undefined && given.length > 0) throw usageError(`--shape and --${given[0]} exclude each other: name a shape or give all of --${SHAPE_FLAGS.join(', --')}`);
  if (argv.shape === undefined && given.length < SHAPE_FLAGS.length) {
    const missing = SHAPE_FLAGS.filter((f) => argv[f] === undefined);
    throw usageError(`give --shape NAME, or every shape flag (missing --${missing.join(', --')})`);
  }
  const config = argv.shape !== undefined
    ? synthShape(argv.shape)
    : shapeFromFlags({
        dim: intFlag('--dim', argv.dim), hidden: intFlag('--hidden', argv.hidden), layers: intFlag('--layers', argv.layers),
        heads: intFlag('--heads', argv.heads), kvHeads: intFlag('--kv-heads', argv['kv-heads']), vocab: intFlag('--vocab', argv.vocab),
        seq: intFlag('--seq', argv.seq), ropeTheta: argv['rope-theta'] === undefined ? undefined : numFlag('--rope-theta', argv['rope-theta'], { min: 0, minExclusive: true }),
      });
  const format = choiceFlag('--format', argv.format ?? (argv.out.endsWith('.gguf') ? 'gguf' : 'bin'), ['bin', 'gguf'] as const);
  const dtype = choiceFlag('--dtype', argv.dtype.toUpperCase(), ['F32', 'F16', 'Q8_0'] as const);
  if (format === 'bin' && dtype !== 'F32') throw usageError(`--dtype ${dtype} needs --format gguf (llama2.c .bin files are float32)`);
  const seed = intFlag('--seed', argv.seed, { min: 0 });
  const t0 = performance.now();
  const model = synthesize(config, seed);
  if (format === 'bin') writeLlama2c(argv.out, model);
  else writeGguf(argv.out, model, { dtype });
  const tokenizerNote = copyTokenizerBeside(argv.out, config.vocabSize, format);
  ctx.log.info({ out: argv.out, params: parameterCount(config), ms: performance.now() - t0 }, 'synth written');
  ctx.stderr.write(`[wafer] wrote ${argv.out}: ${format} ${dtype}, ${(parameterCount(config) / 1e6).toFixed(2)}M parameters (dim ${config.dim}, hidden ${config.hiddenDim}, ${config.nLayers} layers, ${config.nHeads} heads, ${config.nKvHeads} kv heads, vocab ${config.vocabSize}, seq ${config.seqLen}), seed ${seed}${tokenizerNote}\n`);
}

/** A llama2.c checkpoint finds `tokenizer.bin`/`tok<N>.bin` beside it: copy the bundled one whose size matches. */
function copyTokenizerBeside(out: string, vocab: number, format: 'bin' | 'gguf'): string {
  const bundled: Record<number, [string, string]> = {
    32000: [join(REPO_ROOT, 'models/llama2/tokenizer.bin'), 'tokenizer.bin'],
    512: [join(REPO_ROOT, 'models/stories260K/tok512.bin'), 'tok512.bin'],
  };
  const entry = bundled[vocab];
  if (entry === undefined) return `; no bundled tokenizer has ${vocab} tokens, so generation from it needs --tokenizer`;
  const target = join(dirname(out), entry[1]);
  if (format === 'bin' && !existsSync(target)) copyFileSync(entry[0], target);
  return format === 'bin' ? `; tokenizer ${target}` : `; run it with --tokenizer ${entry[0]}`;
}
