// Builds a synthetic checkpoint in memory: any Llama shape, normal(0, 0.02) weights from a seeded stream,
// RMSNorm weights 1. Used for speed runs and for mesh shapes no trained checkpoint has.
import { WaferError, invariant, usageError } from '@wafer/arch';
import type { LlamaConfig, ModelDescription, Tensor } from '../model/types.js';
import { copyShape } from './shapes.js';
import { checkConfig } from '../reference/weights.js';
import { NormalRng } from './normal-rng.js';

/** Standard deviation of every synthetic matrix entry (llama2.c / GPT-2 initialisation). */
export const SYNTH_WEIGHT_STD = 0.02;

/** Largest single synthetic tensor, in float32 elements (4 GiB); checked before anything is allocated. */
export const MAX_SYNTH_TENSOR_ELEMENTS = 2 ** 30;

/** Name and shape of every tensor of `config`, in the order the random stream fills them. */
export function synthTensorShapes(config: LlamaConfig): Array<{ name: string; shape: number[]; random: boolean }> {
  const { dim, hiddenDim, nLayers, vocabSize } = config;
  const qDim = config.nHeads * config.headDim;
  const kvDim = config.nKvHeads * config.headDim;
  const list: Array<{ name: string; shape: number[]; random: boolean }> = [{ name: 'token_embd', shape: [vocabSize, dim], random: true }];
  for (let l = 0; l < nLayers; l++) {
    const b = `blk.${l}.`;
    list.push(
      { name: `${b}attn_norm`, shape: [dim], random: false },
      { name: `${b}attn_q`, shape: [qDim, dim], random: true },
      { name: `${b}attn_k`, shape: [kvDim, dim], random: true },
      { name: `${b}attn_v`, shape: [kvDim, dim], random: true },
      { name: `${b}attn_output`, shape: [dim, qDim], random: true },
      { name: `${b}ffn_norm`, shape: [dim], random: false },
      { name: `${b}ffn_gate`, shape: [hiddenDim, dim], random: true },
      { name: `${b}ffn_down`, shape: [dim, hiddenDim], random: true },
      { name: `${b}ffn_up`, shape: [hiddenDim, dim], random: true },
    );
  }
  list.push({ name: 'output_norm', shape: [dim], random: false });
  if (!config.sharedClassifier) list.push({ name: 'output', shape: [vocabSize, dim], random: true });
  return list;
}

/** Number of distinct weights of `config` (a shared classifier counted once). */
export function parameterCount(config: LlamaConfig): number {
  return synthTensorShapes(config).reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1), 0);
}

/**
 * A deterministic synthetic model of `shape`: matrices drawn from normal(0, 0.02) in synthTensorShapes order
 * from one NormalRng(seed) stream, norm weights 1, `output` the same array as `token_embd` when
 * shape.sharedClassifier. Declares llama2.c conventions (BOS 1, EOS 2, stop on BOS) and no tokenizer.
 * 110M parameters take a few seconds.
 */
export function synthesize(shape: LlamaConfig, seed: number): ModelDescription {
  if (!Number.isSafeInteger(seed) || seed < 0) throw usageError(`--seed must be a non-negative integer, got ${seed}`);
  const source = `synthetic shape (seed ${seed})`;
  checkConfig(shape, source, 'BAD_CONFIG');
  if (shape.headDim * shape.nHeads !== shape.dim) {
    throw new WaferError('BAD_CONFIG', `${source}: headDim ${shape.headDim} * nHeads ${shape.nHeads} must equal dim ${shape.dim}`);
  }
  const specs = synthTensorShapes(shape);
  for (const spec of specs) {
    const elements = spec.shape.reduce((a, b) => a * b, 1);
    if (elements > MAX_SYNTH_TENSOR_ELEMENTS) {
      throw new WaferError('DOES_NOT_FIT', `${source}: tensor ${spec.name} [${spec.shape.join(', ')}] has ${elements} values, over the ${MAX_SYNTH_TENSOR_ELEMENTS} limit`);
    }
  }

  const rng = new NormalRng(seed);
  const tensors = new Map<string, Tensor>();
  for (const spec of specs) {
    const data = new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
    if (spec.random) rng.fillNormal(data, SYNTH_WEIGHT_STD);
    else data.fill(1);
    tensors.set(spec.name, { name: spec.name, shape: spec.shape, data, sourceDtype: 'F32' });
  }
  if (shape.sharedClassifier) {
    const embedding = tensors.get('token_embd');
    invariant(embedding !== undefined, 'synthTensorShapes always lists token_embd');
    tensors.set('output', { ...embedding, name: 'output' });
  }
  return {
    format: 'llama2c',
    path: `synthetic:seed=${seed}`,
    config: copyShape(shape),
    tensors,
    bosId: 1,
    eosId: 2,
    stopOnBos: true,
  };
}
