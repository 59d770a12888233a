// `wafer inspect`: format, hyperparameters, tensors and their storage types, parameter count, tokenizer and
// the loader's peak memory of a checkpoint.
import type { Argv } from 'yargs';
import { ggufMixLabel, loadModel, loadTokenizer, type LlamaConfig } from '@wafer/llama';
import type { Context } from '../context.js';

export function inspectBuilder(y: Argv): Argv {
  return y
    .positional('model', { type: 'string', describe: 'checkpoint: .bin, .gguf or a Hugging Face directory' })
    .option('tokenizer', { type: 'string', describe: 'tokenizer file, if not beside or inside the checkpoint' })
    .option('json', { type: 'boolean', default: false });
}

export async function inspectCommand(argv: { model: string; tokenizer?: string; json: boolean }, ctx: Context): Promise<void> {
  const model = loadModel(argv.model, { tokenizerPath: argv.tokenizer });
  let tokenizer: { kind: string; vocab_size: number; bos_id: number; eos_id: number } | { error: string };
  try {
    const t = loadTokenizer(model, argv.tokenizer);
    tokenizer = { kind: t.kind, vocab_size: t.vocabSize, bos_id: t.bosId, eos_id: t.eosId };
  } catch (e) {
    tokenizer = { error: (e as Error).message };
  }
  const seen = new Set<Float32Array>();
  let params = 0;
  const tensors = [...model.tensors.values()].map((t) => {
    if (!seen.has(t.data)) params += t.data.length;
    seen.add(t.data);
    return { name: t.name, shape: t.shape, dtype: t.sourceDtype };
  });
  const mix = model.load ? ggufMixLabel(model.load.fileTensors.map((t) => t.dtype)) : undefined;
  const loadPeakBytes = model.load?.peakBytes;
  const config = { ...model.config, ropeFreqFactors: model.config.ropeFreqFactors && Array.from(model.config.ropeFreqFactors) };
  const info = {
    path: argv.model, format: model.format, config, bos_id: model.bosId, eos_id: model.eosId, stop_on_bos: model.stopOnBos,
    parameters: params, tokenizer, mix, load_peak_bytes: loadPeakBytes, tensors,
  };
  if (argv.json) {
    ctx.stdout.write(`${JSON.stringify(info)}\n`);
    return;
  }
  const c = model.config;
  const lines = [
    `${argv.model}`,
    `  format      ${model.format}`,
    `  shape       dim ${c.dim} · hidden ${c.hiddenDim} · ${c.nLayers} layers · ${c.nHeads} heads (${c.nKvHeads} kv, head ${c.headDim}) · vocab ${c.vocabSize} · context ${c.seqLen}`,
    `  numerics    rms eps ${c.normEps} · rope theta ${c.ropeTheta}${ropeNote(c)} · classifier ${c.sharedClassifier ? 'shared with the embedding' : 'separate'}`,
    `  parameters  ${params.toLocaleString('en-US')}`,
    ...(mix === undefined ? [] : [`  types       ${mix}`]),
    ...(loadPeakBytes === undefined ? [] : [`  load peak   ${loadPeakBytes.toLocaleString('en-US')} bytes`]),
    `  tokenizer   ${'error' in tokenizer ? tokenizer.error : `${tokenizer.kind}, ${tokenizer.vocab_size} tokens (bos ${tokenizer.bos_id}, eos ${tokenizer.eos_id})`}`,
    `  tensors     ${tensors.length}`,
    ...tensors.map((t) => `    ${t.name.padEnd(24)} ${t.dtype.padEnd(6)} [${t.shape.join(', ')}]`),
  ];
  ctx.stdout.write(`${lines.join('\n')}\n`);
}

/** RoPE scaling as the config carries it: Llama 3 parameters (Hugging Face) or per-pair factors (GGUF rope_freqs). */
function ropeNote(c: LlamaConfig): string {
  if (c.ropeScaling) return ` · llama3 rope scaling ×${c.ropeScaling.factor}`;
  if (!c.ropeFreqFactors) return '';
  const factors = Array.from(c.ropeFreqFactors, (f) => Number(f.toPrecision(4)));
  const shown = factors.length > 8 ? `${factors.slice(0, 4).join(', ')}, …, ${factors.slice(-2).join(', ')}` : factors.join(', ');
  return ` · rope factors per pair [${shown}]`;
}
