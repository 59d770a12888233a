// `wafer quantize IN OUT --type T`: reads any checkpoint (.bin, .gguf, Hugging Face directory) and writes it
// as a GGUF whose matrices are of type T (rows that do not fit T take llama.cpp's fallback), with the
// checkpoint's vocabulary embedded when it has one GGUF can hold.
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { usageError } from '@wafer/arch';
import {
  WRITABLE_TYPE_NAMES,
  ggufMixLabel,
  ggufVocabularyOf,
  loadModel,
  parameterCount,
  writeGguf,
  type GgmlTypeName,
} from '@wafer/llama';
import { choiceFlag } from '../flags.js';
import { ensureParentDir } from '../output-file.js';
import type { Context } from '../context.js';

export function quantizeBuilder(y: Argv): Argv {
  return y
    .positional('in', { type: 'string', describe: 'checkpoint to read: .bin, .gguf or a Hugging Face directory' })
    .positional('out', { type: 'string', describe: 'GGUF file to write' })
    .option('type', { type: 'string', demandOption: true, describe: `tensor type of the matrices: ${WRITABLE_TYPE_NAMES.join(', ')}` })
    .option('tokenizer', { type: 'string', describe: 'tokenizer file, if not beside or inside the checkpoint' });
}

interface QuantizeArgs {
  in: string;
  out: string;
  type: string;
  tokenizer?: string;
}

export async function quantizeCommand(argv: QuantizeArgs, ctx: Context): Promise<void> {
  const type = choiceFlag('--type', argv.type.toUpperCase(), WRITABLE_TYPE_NAMES) as GgmlTypeName;
  if (resolve(argv.in) === resolve(argv.out)) throw usageError(`OUT ${argv.out} is the input checkpoint; write to another file`);
  ensureParentDir(argv.out, 'OUT');
  const t0 = performance.now();
  const model = loadModel(argv.in, { tokenizerPath: argv.tokenizer });
  const vocabulary = ggufVocabularyOf(model);
  if (vocabulary === undefined) {
    ctx.stderr.write(`[wafer] note: ${model.tokenizer ? `a ${model.tokenizer.kind} tokenizer` : 'no tokenizer'} cannot be embedded in GGUF; run ${argv.out} with --tokenizer\n`);
  }
  const written = writeGguf(argv.out, model, { dtype: type, tokenizer: vocabulary });
  const bytes = written.fileBytes;
  const params = parameterCount(model.config);
  ctx.log.info({ in: argv.in, out: argv.out, type, bytes, ms: performance.now() - t0 }, 'quantized');
  const mix = ggufMixLabel(written.tensors.map((t) => t.dtype));
  ctx.stderr.write(`[wafer] wrote ${argv.out}: ${mix}; ${bytes.toLocaleString('en-US')} bytes, ${((8 * bytes) / params).toFixed(2)} bits per weight\n`);
}
