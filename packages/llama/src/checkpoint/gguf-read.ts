// Reader of Llama GGUF checkpoints: hyperparameters from `llama.*` metadata, tensors F32/F16/BF16/Q8_0
// dequantised to float32, and the embedded tokenizer. Q/K rows are kept as stored (GGUF already uses
// adjacent-pair RoPE: llama.cpp's converter permutes Hugging Face rows, and llama2.c rows need nothing).

import { WaferError } from '@wafer/arch';
import type { LlamaConfig, ModelDescription, SourceDtype, Tensor } from '../model/types.js';
import { readFileBytes } from './file-bytes.js';
import {
  Q8_0_BLOCK_BYTES,
  Q8_0_BLOCK_VALUES,
  bfloat16BytesToFloat32,
  float16BytesToFloat32,
  float32FromBytes,
  q8_0BytesToFloat32,
} from './dtype-codec.js';
import { checkFloatFields, checkShapeFields, checkTensorShapes, type ShapeFields } from './model-check.js';
import { parseGguf } from './gguf-parse.js';
import { GgufMetadata } from './gguf-metadata.js';
import { readGgufTokenizer } from './gguf-tokenizer.js';
import { GGML_TYPE_NAMES, GgmlType, type GgufFile, type GgufTensorInfo } from './gguf-types.js';
import { tokenizerFromPath } from './tokenizer-source.js';

/** RoPE base when `llama.rope.freq_base` is absent (llama.cpp's default). */
const DEFAULT_ROPE_THETA = 10000;

const METADATA_KEYS: Record<keyof ShapeFields, string> = {
  dim: 'llama.embedding_length',
  hiddenDim: 'llama.feed_forward_length',
  nLayers: 'llama.block_count',
  nHeads: 'llama.attention.head_count',
  nKvHeads: 'llama.attention.head_count_kv',
  vocabSize: 'token_embd.weight rows',
  seqLen: 'llama.context_length',
};

/** Storage dtypes we decode, by ggml type id. */
const DECODERS: Record<number, { dtype: SourceDtype; bytes: (elements: number) => number; decode: (raw: Uint8Array) => Float32Array }> = {
  [GgmlType.F32]: { dtype: 'F32', bytes: (n) => 4 * n, decode: float32FromBytes },
  [GgmlType.F16]: { dtype: 'F16', bytes: (n) => 2 * n, decode: float16BytesToFloat32 },
  [GgmlType.BF16]: { dtype: 'BF16', bytes: (n) => 2 * n, decode: bfloat16BytesToFloat32 },
  [GgmlType.Q8_0]: { dtype: 'Q8_0', bytes: (n) => (n / Q8_0_BLOCK_VALUES) * Q8_0_BLOCK_BYTES, decode: q8_0BytesToFloat32 },
};

/**
 * Reads a GGUF v2/v3 file of architecture `llama`. Everything (metadata, tensor names, shapes, dtypes and
 * data extents) is validated before tensor data is decoded. `output.weight` absent → shared classifier.
 * `tokenizerPath` replaces the embedded tokenizer.
 */
export function readGguf(path: string, options: { tokenizerPath?: string } = {}): ModelDescription {
  const file = parseGguf(readFileBytes(path, 'checkpoint'), path);
  const meta = new GgufMetadata(file);
  const architecture = meta.require('general.architecture', meta.getString);
  if (architecture !== 'llama') {
    throw new WaferError('UNSUPPORTED', `${path}: architecture "${architecture}" is not supported; wafer runs "llama" models`);
  }

  const infos = new Map<string, GgufTensorInfo>();
  for (const info of file.tensors) {
    const name = info.name.endsWith('.weight') ? info.name.slice(0, -'.weight'.length) : info.name;
    if (infos.has(name)) throw new WaferError('BAD_HEADER', `${path}: tensors ${infos.get(name)!.name} and ${info.name} are the same weight`);
    infos.set(name, info);
  }
  if (infos.has('rope_freqs')) {
    throw new WaferError('UNSUPPORTED', `${path}: tensor rope_freqs.weight (Llama 3.1 RoPE scaling factors) is not supported`);
  }
  const config = readConfig(meta, infos, path);
  const shapes = new Map([...infos].map(([name, info]) => [name, [...info.dims].reverse()]));
  checkTensorShapes(shapes, config, path, (name) => (infos.get(name)?.name ?? `${name}.weight`));
  for (const info of infos.values()) checkExtent(file, info);

  const tensors = new Map<string, Tensor>();
  for (const [name, info] of infos) tensors.set(name, decodeTensor(file, info, name, shapes.get(name)!));
  if (config.sharedClassifier) tensors.set('output', { ...tensors.get('token_embd')!, name: 'output' });

  const tokenizerInfo = readGgufTokenizer(meta, path);
  return {
    format: 'gguf',
    path,
    config,
    tensors,
    tokenizer: options.tokenizerPath ? tokenizerFromPath(options.tokenizerPath) : tokenizerInfo.tokenizer,
    bosId: tokenizerInfo.bosId,
    eosId: tokenizerInfo.eosId,
    stopOnBos: tokenizerInfo.stopOnBos,
    chatTemplate: meta.getString('tokenizer.chat_template'),
  };
}

function readConfig(meta: GgufMetadata, infos: Map<string, GgufTensorInfo>, path: string): LlamaConfig {
  const embedding = infos.get('token_embd');
  if (!embedding) throw new WaferError('MISSING_TENSOR', `${path}: tensor token_embd.weight is missing`);
  const count = (key: string) => meta.require(key, meta.getCount);
  const nHeads = count(METADATA_KEYS.nHeads);
  const fields: ShapeFields = {
    dim: count(METADATA_KEYS.dim),
    hiddenDim: count(METADATA_KEYS.hiddenDim),
    nLayers: count(METADATA_KEYS.nLayers),
    nHeads,
    nKvHeads: meta.getCount(METADATA_KEYS.nKvHeads) ?? nHeads,
    vocabSize: embedding.dims.length === 2 ? embedding.dims[1] : 0,
    seqLen: count(METADATA_KEYS.seqLen),
  };
  checkShapeFields(fields, path, METADATA_KEYS);
  const headDim = fields.dim / fields.nHeads;
  const declaredVocab = meta.getCount('llama.vocab_size');
  if (declaredVocab !== undefined && declaredVocab !== fields.vocabSize) {
    throw new WaferError('BAD_HEADER', `${path}: llama.vocab_size ${declaredVocab} differs from token_embd.weight's ${fields.vocabSize} rows`);
  }
  for (const key of ['llama.rope.dimension_count', 'llama.attention.key_length', 'llama.attention.value_length']) {
    const value = meta.getCount(key);
    if (value !== undefined && value !== headDim) {
      throw new WaferError('UNSUPPORTED', `${path}: ${key} = ${value} but head size is ${headDim}; wafer needs them equal`);
    }
  }
  const scaling = meta.getString('llama.rope.scaling.type');
  if (scaling !== undefined && scaling !== 'none') {
    throw new WaferError('UNSUPPORTED', `${path}: llama.rope.scaling.type "${scaling}" is not supported`);
  }
  const config: LlamaConfig = {
    ...fields,
    headDim,
    normEps: meta.require('llama.attention.layer_norm_rms_epsilon', meta.getFloat),
    ropeTheta: meta.getFloat('llama.rope.freq_base') ?? DEFAULT_ROPE_THETA,
    sharedClassifier: !infos.has('output'),
  };
  checkFloatFields(config, path);
  return config;
}

/** Checks the tensor's dtype is one we decode and its bytes lie inside the file. */
function checkExtent(file: GgufFile, info: GgufTensorInfo): void {
  const decoder = DECODERS[info.type];
  if (!decoder) {
    const typeName = GGML_TYPE_NAMES[info.type] ?? `type id ${info.type}`;
    throw new WaferError('UNSUPPORTED', `${file.path}: tensor ${info.name} has dtype ${typeName}; wafer reads F32, F16, BF16 and Q8_0`);
  }
  if (info.type === GgmlType.Q8_0 && info.dims[0] % Q8_0_BLOCK_VALUES !== 0) {
    throw new WaferError('BAD_HEADER', `${file.path}: Q8_0 tensor ${info.name} has ${info.dims[0]} columns, not a multiple of ${Q8_0_BLOCK_VALUES}`);
  }
  const elements = info.dims.reduce((a, b) => a * b, 1);
  const end = file.dataOffset + info.offset + decoder.bytes(elements);
  if (end > file.bytes.length) {
    throw new WaferError('FILE_TRUNCATED', `${file.path}: data of tensor ${info.name} ends at byte ${end} but the file has ${file.bytes.length}`);
  }
}

function decodeTensor(file: GgufFile, info: GgufTensorInfo, name: string, shape: number[]): Tensor {
  const decoder = DECODERS[info.type];
  const elements = info.dims.reduce((a, b) => a * b, 1);
  const start = file.dataOffset + info.offset;
  const data = decoder.decode(file.bytes.subarray(start, start + decoder.bytes(elements)));
  return { name, shape, data, sourceDtype: decoder.dtype };
}
