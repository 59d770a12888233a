// Pulls the reference forward pass's weights out of a ModelDescription by their GGUF names and checks every
// shape against the config, so a malformed model fails here with a named tensor instead of deep in a matmul.
import { WaferError, type ErrorCode } from '@wafer/arch';
import type { LlamaConfig, ModelDescription } from '../model/types.js';

/** One transformer block's weights, each a row-major float32 matrix [out, in] or a vector. */
export interface LayerWeights {
  attnNorm: Float32Array; // [dim]
  wq: Float32Array; // [nHeads*headDim, dim]
  wk: Float32Array; // [nKvHeads*headDim, dim]
  wv: Float32Array; // [nKvHeads*headDim, dim]
  wo: Float32Array; // [dim, nHeads*headDim]
  ffnNorm: Float32Array; // [dim]
  w1: Float32Array; // [hidden, dim]  ffn_gate
  w2: Float32Array; // [dim, hidden]  ffn_down
  w3: Float32Array; // [hidden, dim]  ffn_up
}

/** Every weight the reference forward pass reads (llama2.c's TransformerWeights). */
export interface ReferenceWeights {
  tokenEmbedding: Float32Array; // [vocab, dim]
  layers: LayerWeights[]; // [nLayers]
  finalNorm: Float32Array; // [dim]
  classifier: Float32Array; // [vocab, dim], the same array as tokenEmbedding when shared
}

/**
 * Checks that a config is internally consistent (positive integers, heads dividing evenly, even head size).
 * `source` names the file or shape the config came from; `code` is BAD_HEADER for checkpoints, BAD_CONFIG otherwise.
 */
export function checkConfig(config: LlamaConfig, source: string, code: ErrorCode = 'BAD_HEADER'): void {
  const integers: Array<keyof LlamaConfig> = ['dim', 'hiddenDim', 'nLayers', 'nHeads', 'nKvHeads', 'headDim', 'vocabSize', 'seqLen'];
  for (const key of integers) {
    const value = config[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw new WaferError(code, `${source}: config field ${key} must be a positive integer, got ${String(value)}`);
    }
  }
  if (config.nHeads % config.nKvHeads !== 0) {
    throw new WaferError(code, `${source}: nHeads ${config.nHeads} is not a multiple of nKvHeads ${config.nKvHeads}`);
  }
  if (config.headDim % 2 !== 0) {
    throw new WaferError(code, `${source}: headDim ${config.headDim} must be even for RoPE on adjacent pairs`);
  }
  if (!(config.normEps > 0) || !Number.isFinite(config.normEps)) {
    throw new WaferError(code, `${source}: normEps must be a positive number, got ${config.normEps}`);
  }
  if (!(config.ropeTheta > 0) || !Number.isFinite(config.ropeTheta)) {
    throw new WaferError(code, `${source}: ropeTheta must be a positive number, got ${config.ropeTheta}`);
  }
  const factors = config.ropeFreqFactors;
  if (factors !== undefined) {
    if (config.ropeScaling !== undefined) throw new WaferError(code, `${source}: ropeScaling and ropeFreqFactors exclude each other`);
    if (factors.length !== config.headDim / 2 || !factors.every((v) => v > 0 && Number.isFinite(v))) {
      throw new WaferError(code, `${source}: ropeFreqFactors needs ${config.headDim / 2} positive factors (one per rotary pair), got ${factors.length}`);
    }
  }
  const scaling = config.ropeScaling;
  if (scaling !== undefined) {
    const fields = [scaling.factor, scaling.lowFreqFactor, scaling.highFreqFactor, scaling.originalMaxPositionEmbeddings];
    if (fields.some((v) => !(v > 0) || !Number.isFinite(v)) || scaling.highFreqFactor <= scaling.lowFreqFactor) {
      throw new WaferError(
        code,
        `${source}: ropeScaling needs positive factor, lowFreqFactor < highFreqFactor and originalMaxPositionEmbeddings, got ${JSON.stringify(scaling)}`,
      );
    }
  }
}

/** Reads and shape-checks every weight; throws MISSING_TENSOR or BAD_HEADER naming the tensor and model path. */
export function referenceWeights(model: ModelDescription): ReferenceWeights {
  const c = model.config;
  checkConfig(c, model.path);
  const qDim = c.nHeads * c.headDim;
  const kvDim = c.nKvHeads * c.headDim;
  const get = (name: string, shape: number[]): Float32Array => {
    const tensor = model.tensors.get(name);
    if (tensor === undefined) throw new WaferError('MISSING_TENSOR', `${model.path}: tensor ${name} is missing`);
    const expected = shape.reduce((a, b) => a * b, 1);
    if (tensor.shape.join(',') !== shape.join(',') || tensor.data.length !== expected) {
      throw new WaferError(
        'BAD_HEADER',
        `${model.path}: tensor ${name} has shape [${tensor.shape.join(', ')}] (${tensor.data.length} values), expected [${shape.join(', ')}]`,
      );
    }
    return tensor.data;
  };
  const layers: LayerWeights[] = [];
  for (let l = 0; l < c.nLayers; l++) {
    const b = `blk.${l}.`;
    layers.push({
      attnNorm: get(`${b}attn_norm`, [c.dim]),
      wq: get(`${b}attn_q`, [qDim, c.dim]),
      wk: get(`${b}attn_k`, [kvDim, c.dim]),
      wv: get(`${b}attn_v`, [kvDim, c.dim]),
      wo: get(`${b}attn_output`, [c.dim, qDim]),
      ffnNorm: get(`${b}ffn_norm`, [c.dim]),
      w1: get(`${b}ffn_gate`, [c.hiddenDim, c.dim]),
      w2: get(`${b}ffn_down`, [c.dim, c.hiddenDim]),
      w3: get(`${b}ffn_up`, [c.hiddenDim, c.dim]),
    });
  }
  return {
    tokenEmbedding: get('token_embd', [c.vocabSize, c.dim]),
    layers,
    finalNorm: get('output_norm', [c.dim]),
    classifier: get('output', [c.vocabSize, c.dim]),
  };
}
