// Model shapes the performance model needs (widths, layer count, heads, vocabulary), built in from the
// published configs, or taken from a checkpoint header (the CLI reads the file; this takes the plain object).

import { WaferError } from '@wafer/arch';

/** The dimensions of a Llama-architecture model. */
export interface ModelShape {
  name: string;
  dim: number; // embedding width
  hiddenDim: number; // SwiGLU FFN width
  nLayers: number;
  nHeads: number; // query heads
  nKvHeads: number; // key/value heads (GQA when < nHeads)
  headDim: number;
  vocabSize: number;
  seqLen: number; // trained context length
  sharedClassifier: boolean; // the classifier reuses the token embedding (tied weights)
}

/** The fields of a checkpoint header the model needs (a subset of @wafer/llama's LlamaConfig). */
export interface LlamaConfigLike {
  dim: number;
  hiddenDim: number;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  vocabSize: number;
  seqLen: number;
  headDim?: number; // dim / nHeads when absent
  sharedClassifier?: boolean; // tied embedding and classifier (default false)
}

function shape(name: string, dim: number, hiddenDim: number, nLayers: number, nHeads: number, nKvHeads: number, vocabSize: number, seqLen: number, sharedClassifier: boolean, headDim = dim / nHeads): ModelShape {
  return { name, dim, hiddenDim, nLayers, nHeads, nKvHeads, headDim, vocabSize, seqLen, sharedClassifier };
}

/** Built-in shapes, from each model's published config.json (or llama2.c header for the stories models, which tie the classifier). */
export const MODEL_SHAPES: Readonly<Record<string, ModelShape>> = Object.freeze({
  'llama3-8b': shape('llama3-8b', 4096, 14336, 32, 32, 8, 128256, 8192, false),
  'llama2-13b': shape('llama2-13b', 5120, 13824, 40, 40, 40, 32000, 4096, false),
  'codellama-34b': shape('codellama-34b', 8192, 22016, 48, 64, 8, 32000, 16384, false),
  'qwen2-72b': shape('qwen2-72b', 8192, 29568, 80, 64, 8, 152064, 32768, false),
  'llama-3.2-1b': shape('llama-3.2-1b', 2048, 8192, 16, 32, 8, 128256, 131072, true),
  'tinyllama-1.1b': shape('tinyllama-1.1b', 2048, 5632, 22, 32, 4, 32000, 2048, false),
  stories15m: shape('stories15m', 288, 768, 6, 6, 6, 32000, 256, true),
  stories260k: shape('stories260k', 64, 172, 5, 8, 4, 512, 512, true),
});

/** A built-in shape by name (case-insensitive); throws naming the known names. */
export function modelShape(name: string): ModelShape {
  const found = MODEL_SHAPES[name.toLowerCase()];
  if (found === undefined) throw new WaferError('USAGE', `perf: unknown model '${name}'; known: ${Object.keys(MODEL_SHAPES).join(', ')}`);
  return found;
}

/** A shape from a checkpoint header; `name` labels it in reports. Rejects inconsistent heads. */
export function shapeFromLlamaConfig(config: LlamaConfigLike, name = 'checkpoint'): ModelShape {
  for (const key of ['dim', 'hiddenDim', 'nLayers', 'nHeads', 'nKvHeads', 'vocabSize', 'seqLen'] as const) {
    const v = config[key];
    if (!Number.isInteger(v) || v < 1) throw new WaferError('BAD_CONFIG', `perf: model ${name}: ${key} must be a positive integer, got ${v}`);
  }
  if (config.nHeads % config.nKvHeads !== 0) {
    throw new WaferError('BAD_CONFIG', `perf: model ${name}: nHeads ${config.nHeads} is not a multiple of nKvHeads ${config.nKvHeads}`);
  }
  const headDim = config.headDim ?? config.dim / config.nHeads;
  if (!Number.isInteger(headDim) || headDim < 1) throw new WaferError('BAD_CONFIG', `perf: model ${name}: headDim must be a positive integer (dim ${config.dim} / nHeads ${config.nHeads}), got ${headDim}`);
  return shape(name, config.dim, config.hiddenDim, config.nLayers, config.nHeads, config.nKvHeads, config.vocabSize, config.seqLen, config.sharedClassifier ?? false, headDim);
}

/** Weight count of one transformer layer: Wq, Wk, Wv, Wo, the three FFN matrices and two norm vectors. */
export function layerWeightCount(s: ModelShape): number {
  const qDim = s.nHeads * s.headDim;
  const kvDim = s.nKvHeads * s.headDim;
  return s.dim * qDim + 2 * s.dim * kvDim + qDim * s.dim + 3 * s.dim * s.hiddenDim + 2 * s.dim;
}
