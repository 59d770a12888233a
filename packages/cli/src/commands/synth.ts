// `wafer synth`: writes a seeded random-weight checkpoint of a named shape (or one given by flags), with the
// bundled tokenizer of a matching vocabulary size copied beside a .bin or embedded in a .gguf; or, with
// --from, a real checkpoint widened to block-sized dims (the same model, inert weights seeded).
import { copyFileSync, existsSync } from 'node:fs';
import { ensureParentDir } from '../output-file.js';
import { dirname, join } from 'node:path';
import type { Argv } from 'yargs';
import { usageError } from '@wafer/arch';
import {
  ggufTokenizerData,
  ggufVocabularyOf,
  loadModel,
  padModel,
  parameterCount,
  readLlama2cTokenizer,
  shapeFromFlags,
  synthesize,
  synthShape,
  SYNTH_SHAPE_NAMES,
  WRITABLE_TYPE_NAMES,
  writeGguf,
  writeLlama2c,
  type GgufTokenizerData,
} from '@wafer/llama';
import { choiceFlag, intFlag, numFlag } from '../flags.js';
import { REPO_ROOT } from '../paths.js';
import type { Context } from '../context.js';

const SHAPE_FLAGS = ['dim', 'hidden', 'layers', 'heads', 'kv-heads', 'vocab', 'seq'] as const;

export function synthBuilder(y: Argv): Argv {
  let b = y
    .option('shape', { type: 'string', describe: `named shape: ${SYNTH_SHAPE_NAMES.join(', ')}` })
    .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'output file' })
    .option('format', { type: 'string', describe: 'bin (llama2.c) or gguf; default from the file extension' })
    .option('dtype', { type: 'string', default: 'F32', describe: `GGUF tensor type of the matrices: ${WRITABLE_TYPE_NAMES.join(', ')}` })
    .option('seed', { type: 'string', default: '1', describe: 'weight seed' })
    .option('rope-theta', { type: 'string', describe: 'RoPE theta (with shape flags; default 10000)' })
    .option('from', { type: 'string', describe: 'widen this checkpoint instead: dim and hidden padded to --pad-to, same logits' })
    .option('pad-to', { type: 'string', default: '256', describe: 'with --from: the multiple dim and hidden are padded to' });
  for (const f of SHAPE_FLAGS) b = b.option(f, { type: 'string', describe: `${f} (instead of --shape)` });
  return b;
}

type SynthArgs = Record<(typeof SHAPE_FLAGS)[number], string | undefined> & {
  shape?: string; out: string; format?: string; dtype: string; seed: string; 'rope-theta'?: string; from?: string; 'pad-to': string;
};

export async function synthCommand(argv: SynthArgs, ctx: Context): Promise<void> {
  const given = SHAPE_FLAGS.filter((f) => argv[f] !== undefined);
  if (argv.from !== undefined) return padCommand(argv, given, ctx);
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
  const dtype = choiceFlag('--dtype', argv.dtype.toUpperCase(), WRITABLE_TYPE_NAMES);
  if (format === 'bin' && dtype !== 'F32') throw usageError(`--dtype ${dtype} needs --format gguf (llama2.c .bin files are float32)`);
  const seed = intFlag('--seed', argv.seed, { min: 0 });
  ensureParentDir(argv.out, '-o');
  const bundled = BUNDLED_TOKENIZERS[config.vocabSize];
  // read (and so check) the vocabulary before synthesizing the weights, the large allocation
  const embedded = format === 'gguf' && bundled !== undefined ? ggufVocabulary(bundled, config.vocabSize) : undefined;
  const t0 = performance.now();
  const model = synthesize(config, seed);
  if (format === 'bin') writeLlama2c(argv.out, model);
  else writeGguf(argv.out, model, { dtype, tokenizer: embedded });
  const tokenizerNote = bundled === undefined
    ? `; no bundled tokenizer has ${config.vocabSize} tokens, so generation from it needs --tokenizer`
    : format === 'bin'
      ? `; tokenizer ${copyTokenizerBeside(argv.out, bundled)}`
      : `; tokenizer embedded from ${bundled.path}`;
  ctx.log.info({ out: argv.out, params: parameterCount(config), ms: performance.now() - t0 }, 'synth written');
  ctx.stderr.write(`[wafer] wrote ${argv.out}: ${format} ${dtype}, ${(parameterCount(config) / 1e6).toFixed(2)}M parameters (dim ${config.dim}, hidden ${config.hiddenDim}, ${config.nLayers} layers, ${config.nHeads} heads, ${config.nKvHeads} kv heads, vocab ${config.vocabSize}, seq ${config.seqLen}), seed ${seed}${tokenizerNote}\n`);
}

/** A bundled llama2.c vocabulary: where it is and the name llama2.c looks for beside a checkpoint. */
interface BundledTokenizer {
  path: string;
  besideName: string;
}

/** The bundled vocabularies by token count: Llama 2's 32k (stories15M/110M) and stories260K's 512. */
const BUNDLED_TOKENIZERS: Readonly<Record<number, BundledTokenizer | undefined>> = {
  32000: { path: join(REPO_ROOT, 'models/llama2/tokenizer.bin'), besideName: 'tokenizer.bin' },
  512: { path: join(REPO_ROOT, 'models/stories260K/tok512.bin'), besideName: 'tok512.bin' },
};

/** The `tokenizer.ggml.*` arrays of a bundled vocabulary, so the GGUF is self-contained. */
function ggufVocabulary(bundled: BundledTokenizer, vocabSize: number): GgufTokenizerData {
  return ggufTokenizerData(readLlama2cTokenizer(bundled.path, vocabSize));
}

/** A llama2.c checkpoint finds `tokenizer.bin`/`tok<N>.bin` beside it: copies the bundled one there (unless present). */
function copyTokenizerBeside(out: string, bundled: BundledTokenizer): string {
  const target = join(dirname(out), bundled.besideName);
  if (!existsSync(target)) copyFileSync(bundled.path, target);
  return target;
}

/** `wafer synth --from CKPT`: the checkpoint widened by padModel, written as GGUF with its own vocabulary. */
async function padCommand(argv: SynthArgs, given: readonly string[], ctx: Context): Promise<void> {
  const from = argv.from!;
  if (argv.shape !== undefined || given.length > 0) throw usageError(`--from excludes --shape and the shape flags (got --${argv.shape !== undefined ? 'shape' : given[0]})`);
  const format = choiceFlag('--format', argv.format ?? (argv.out.endsWith('.gguf') ? 'gguf' : 'bin'), ['bin', 'gguf'] as const);
  if (format !== 'gguf') throw usageError(`--from writes GGUF (its widened norms need an epsilon llama2.c .bin cannot hold); name a .gguf output`);
  const dtype = choiceFlag('--dtype', argv.dtype.toUpperCase(), WRITABLE_TYPE_NAMES);
  const seed = intFlag('--seed', argv.seed, { min: 0 });
  const multiple = intFlag('--pad-to', argv['pad-to'], { min: 2, max: 1 << 16 });
  ensureParentDir(argv.out, '-o');
  const source = loadModel(from);
  const model = padModel(source, multiple, seed);
  writeGguf(argv.out, model, { dtype, tokenizer: ggufVocabularyOf(source) });
  const c = model.config;
  ctx.stderr.write(`[wafer] wrote ${argv.out}: ${from} widened to dim ${c.dim}, hidden ${c.hiddenDim} (head ${c.headDim}), ${dtype}, ${(parameterCount(c) / 1e6).toFixed(2)}M parameters, inert weights seeded with ${seed}\n`);
}
