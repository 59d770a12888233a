// RoPE settings of a Llama GGUF: `llama.rope.*` metadata and the `rope_freqs.weight` tensor (one float32
// divisor per rotary pair, as llama.cpp's converter writes for Llama 3.1+), as config fields.

import { WaferError } from '@wafer/arch';
import type { LlamaConfig } from '../model/types.js';
import type { GgufMetadata } from './gguf-metadata.js';
import { GgmlType, ggmlTypeName, type GgufTensorInfo } from './gguf-types.js';

/** RoPE base when `llama.rope.freq_base` is absent (llama.cpp's default). */
const DEFAULT_ROPE_THETA = 10000;

/** The tensor name (without `.weight`) of the per-pair factors. */
export const ROPE_FREQS_TENSOR = 'rope_freqs';

/**
 * Checks the rope_freqs tensor info before its data is read: float32, one dimension of headDim/2 values.
 * BAD_HEADER or UNSUPPORTED naming the tensor otherwise.
 */
export function checkRopeFreqsInfo(info: GgufTensorInfo, headDim: number, path: string): void {
  const pairs = headDim / 2;
  if (info.type !== GgmlType.F32) {
    throw new WaferError('UNSUPPORTED', `${path}: tensor ${info.name} is ${ggmlTypeName(info.type)}; wafer reads RoPE factors stored as F32`);
  }
  if (info.dims.length !== 1 || info.dims[0] !== pairs) {
    throw new WaferError('BAD_HEADER', `${path}: tensor ${info.name} has shape [${info.dims}] but the model has ${pairs} rotary pairs per head (head size ${headDim})`);
  }
}

/**
 * RoPE fields of the config: theta from `llama.rope.freq_base`; ropeFreqFactors from rope_freqs (`factors`,
 * already read) and from `llama.rope.scaling.type` "linear" (llama.cpp's freq_scale = 1/factor, which
 * divides every pair's frequency by the factor). Other scaling types (yarn, longrope) are UNSUPPORTED.
 */
export function ggufRopeFields(
  meta: GgufMetadata, factors: Float32Array | undefined, pairs: number, path: string,
): Pick<LlamaConfig, 'ropeTheta' | 'ropeFreqFactors'> {
  const ropeTheta = meta.getFloat('llama.rope.freq_base') ?? DEFAULT_ROPE_THETA;
  if (factors !== undefined) {
    const bad = factors.findIndex((v) => !(v > 0) || !Number.isFinite(v));
    if (bad >= 0) throw new WaferError('BAD_HEADER', `${path}: tensor rope_freqs.weight has factor ${factors[bad]} at pair ${bad}; factors must be positive`);
  }
  const scaling = meta.getString('llama.rope.scaling.type');
  if (scaling === undefined || scaling === 'none') return factors === undefined ? { ropeTheta } : { ropeTheta, ropeFreqFactors: factors };
  if (scaling !== 'linear') {
    throw new WaferError('UNSUPPORTED', `${path}: llama.rope.scaling.type "${scaling}" is not supported (wafer reads none, linear and rope_freqs)`);
  }
  const linear = meta.require('llama.rope.scaling.factor', meta.getFloat);
  if (!(linear > 0) || !Number.isFinite(linear)) {
    throw new WaferError('BAD_HEADER', `${path}: llama.rope.scaling.factor ${linear} is not a positive number`);
  }
  const combined = new Float32Array(pairs);
  for (let p = 0; p < pairs; p++) combined[p] = (factors?.[p] ?? 1) * linear;
  return { ropeTheta, ropeFreqFactors: combined };
}
