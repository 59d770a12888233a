// What every loaded model must satisfy, whatever its format: sane hyperparameters (checked before any
// tensor is allocated) and the full set of tensors with the shapes the config implies.

import { WaferError } from '@wafer/arch';
import type { LlamaConfig, ModelDescription, Tensor } from '../model/types.js';

/**
 * Upper bounds on hyperparameters. They are far above any Llama we could emulate (Llama 3 405B: dim 16384,
 * 126 layers, vocab 128256) and exist so a corrupt header fails here instead of in a huge allocation.
 */
export const CONFIG_LIMITS = {
  dim: 1 << 16,
  hiddenDim: 1 << 20,
  nLayers: 1 << 12,
  nHeads: 1 << 12,
  vocabSize: 1 << 22,
  seqLen: 1 << 24,
} as const;

/** The integer hyperparameters as a header states them, before they become a LlamaConfig. */
export interface ShapeFields {
  dim: number;
  hiddenDim: number;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  vocabSize: number;
  seqLen: number;
}

/** The dimensions of a checkpoint, and whether its classifier shares the embedding table. */
export type CheckpointShape = ShapeFields & { headDim: number; sharedClassifier: boolean };

/**
 * Checks header integers for sanity: positive integers within CONFIG_LIMITS, dim % nHeads == 0,
 * nHeads % nKvHeads == 0 and an even head size (RoPE rotates pairs). `source` names the file (and,
 * when useful, how it was read) for the message; `fieldNames` maps each field to the file's own key.
 */
export function checkShapeFields(fields: ShapeFields, source: string, fieldNames: Record<keyof ShapeFields, string>): void {
  const bad = (what: string): never => {
    throw new WaferError('BAD_HEADER', `${source}: ${what}`);
  };
  const limits: Record<keyof ShapeFields, number> = { ...CONFIG_LIMITS, nKvHeads: CONFIG_LIMITS.nHeads };
  for (const key of Object.keys(limits) as (keyof ShapeFields)[]) {
    const value = fields[key];
    if (!Number.isSafeInteger(value) || value < 1 || value > limits[key]) {
      bad(`${fieldNames[key]} = ${value} is not an integer in 1..${limits[key]}`);
    }
  }
  if (fields.dim % fields.nHeads !== 0) {
    bad(`${fieldNames.dim} = ${fields.dim} is not divisible by ${fieldNames.nHeads} = ${fields.nHeads}`);
  }
  if (fields.nHeads % fields.nKvHeads !== 0) {
    bad(`${fieldNames.nHeads} = ${fields.nHeads} is not divisible by ${fieldNames.nKvHeads} = ${fields.nKvHeads}`);
  }
  if ((fields.dim / fields.nHeads) % 2 !== 0) {
    bad(`head size ${fieldNames.dim}/${fieldNames.nHeads} = ${fields.dim / fields.nHeads} is odd; RoPE needs pairs`);
  }
}

/** Checks the float hyperparameters: finite and positive. */
export function checkFloatFields(config: Pick<LlamaConfig, 'normEps' | 'ropeTheta'>, source: string): void {
  for (const [name, value] of [['RMSNorm epsilon', config.normEps], ['RoPE theta', config.ropeTheta]] as const) {
    if (!Number.isFinite(value) || value <= 0) throw new WaferError('BAD_HEADER', `${source}: ${name} ${value} is not a positive number`);
  }
}

/** The fields of a config that fix its tensors' shapes. */
export type TensorShapeFields = Pick<LlamaConfig, 'dim' | 'hiddenDim' | 'nLayers' | 'nHeads' | 'nKvHeads' | 'headDim' | 'vocabSize'>;

/**
 * Every tensor a model needs, in GGUF order (token_embd, output_norm, output, then blk.0 … blk.L-1),
 * with its row-major shape [rows=out, cols=in]. `output` is listed even when the classifier is shared.
 */
export function expectedTensorShapes(config: TensorShapeFields): Map<string, number[]> {
  const { dim, hiddenDim, nHeads, nKvHeads, headDim, vocabSize } = config;
  const shapes = new Map<string, number[]>([
    ['token_embd', [vocabSize, dim]],
    ['output_norm', [dim]],
    ['output', [vocabSize, dim]],
  ]);
  for (let l = 0; l < config.nLayers; l++) {
    shapes.set(`blk.${l}.attn_norm`, [dim]);
    shapes.set(`blk.${l}.attn_q`, [nHeads * headDim, dim]);
    shapes.set(`blk.${l}.attn_k`, [nKvHeads * headDim, dim]);
    shapes.set(`blk.${l}.attn_v`, [nKvHeads * headDim, dim]);
    shapes.set(`blk.${l}.attn_output`, [dim, nHeads * headDim]);
    shapes.set(`blk.${l}.ffn_norm`, [dim]);
    shapes.set(`blk.${l}.ffn_gate`, [hiddenDim, dim]);
    shapes.set(`blk.${l}.ffn_down`, [dim, hiddenDim]);
    shapes.set(`blk.${l}.ffn_up`, [hiddenDim, dim]);
  }
  return shapes;
}

/** Number of elements of a shape. */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Checks that a file holds exactly the tensors `config` needs, with the expected shapes, before any
 * tensor data is decoded: MISSING_TENSOR names the first absent tensor, BAD_HEADER a wrong shape,
 * UNSUPPORTED an extra tensor. `fileName` turns our name into the file's own (for messages).
 */
export function checkTensorShapes(
  shapes: ReadonlyMap<string, readonly number[]>,
  config: TensorShapeFields & Pick<LlamaConfig, 'sharedClassifier'>,
  path: string,
  fileName: (name: string) => string = (name) => name,
): void {
  const expected = expectedTensorShapes(config);
  if (config.sharedClassifier) expected.delete('output');
  for (const [name, shape] of expected) {
    const actual = shapes.get(name);
    if (!actual) throw new WaferError('MISSING_TENSOR', `${path}: tensor ${fileName(name)} is missing`);
    const same = actual.length === shape.length && actual.every((d, i) => d === shape[i]);
    if (!same) {
      throw new WaferError('BAD_HEADER', `${path}: tensor ${fileName(name)} has shape [${actual}] but the config implies [${shape}]`);
    }
  }
  for (const name of shapes.keys()) {
    if (!expected.has(name)) throw new WaferError('UNSUPPORTED', `${path}: unexpected tensor ${fileName(name)} (not part of a Llama model)`);
  }
}

/** Row-major shape of every tensor in a model (for checkTensorShapes). */
export function shapesOf(tensors: ReadonlyMap<string, Tensor>): Map<string, number[]> {
  return new Map([...tensors].map(([name, t]) => [name, t.shape]));
}

/** Checks a loaded model before a writer uses it: every tensor, `output` included, with its expected shape. */
export function checkModelDescription(model: ModelDescription): void {
  checkTensorShapes(shapesOf(model.tensors), { ...model.config, sharedClassifier: false }, model.path);
}
