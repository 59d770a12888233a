// Reader of Llama GGUF checkpoints: hyperparameters from `llama.*` metadata, RoPE factors, every tensor of a
// supported ggml type dequantised to float32 one at a time (never the whole file in memory), and the
// embedded tokenizer. Q/K rows are kept as stored (GGUF already uses adjacent-pair RoPE).

import { WaferError } from '@wafer/arch';
import type { LlamaConfig, LoadReport, ModelDescription, SourceDtype, Tensor } from '../model/types.js';
import { float32FromBytes } from './dtype-codec.js';
import { memoryByteSource, openByteSource, type ByteSource } from './file-bytes.js';
import { checkFloatFields, checkShapeFields, checkTensorShapes, type CheckpointShape, type ShapeFields } from './model-check.js';
import { checkGgufExtents, parseGgufHeader } from './gguf-parse.js';
import { GgufMetadata } from './gguf-metadata.js';
import { ROPE_FREQS_TENSOR, checkRopeFreqsInfo, ggufRopeFields } from './gguf-rope.js';
import { readGgufTokenizer } from './gguf-tokenizer.js';
import { GgmlType, ggmlTypeName, type GgufFile, type GgufTensorInfo } from './gguf-types.js';
import { GGML_CODECS, type GgmlCodec } from './quants/index.js';
import { tokenizerFromPath } from './tokenizer-source.js';

/** First prefix read for the header; grown ×4 while the header does not fit (a Llama 3 vocabulary is ~8 MB). */
const FIRST_HEADER_READ_BYTES = 1 << 18;

const METADATA_KEYS: Record<keyof ShapeFields, string> = {
  dim: 'llama.embedding_length',
  hiddenDim: 'llama.feed_forward_length',
  nLayers: 'llama.block_count',
  nHeads: 'llama.attention.head_count',
  nKvHeads: 'llama.attention.head_count_kv',
  vocabSize: 'token_embd.weight rows',
  seqLen: 'llama.context_length',
};

const SUPPORTED_TYPES = [...GGML_CODECS.values()].map((c) => c.name).join(', ');

/**
 * Reads a GGUF v2/v3 file of architecture `llama`. Everything (metadata, tensor names, shapes, types and
 * data extents) is validated before tensor data is read; then each tensor is read and dequantised on its
 * own. `output.weight` absent → shared classifier. `tokenizerPath` replaces the embedded tokenizer.
 */
export function readGguf(path: string, options: { tokenizerPath?: string } = {}): ModelDescription {
  const source = openByteSource(path, 'checkpoint');
  try {
    return readGgufFrom(source, path, options);
  } finally {
    source.close();
  }
}

/** readGguf over a file already in memory (`path` names it in errors). */
export function readGgufBytes(bytes: Uint8Array, path: string, options: { tokenizerPath?: string } = {}): ModelDescription {
  return readGgufFrom(memoryByteSource(bytes), path, options);
}

/**
 * The shape of a GGUF checkpoint from its header alone (metadata and tensor infos, validated as readGguf does;
 * no tensor data is read): what the analytical model needs of a file that may hold gigabytes.
 */
export function readGgufShape(path: string): CheckpointShape {
  const source = openByteSource(path, 'checkpoint');
  try {
    const { fields, sharedClassifier } = readLayout(source, path);
    return { ...fields, sharedClassifier };
  } finally {
    source.close();
  }
}

/** Everything the header says and how it checks out: metadata, tensor infos by our name, the shape fields. */
function readLayout(source: ByteSource, path: string) {
  const { file, headerBytes } = readHeader(source, path);
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
  const ropeFreqs = infos.get(ROPE_FREQS_TENSOR);
  infos.delete(ROPE_FREQS_TENSOR);
  const fields = readShape(meta, infos, path);
  if (ropeFreqs) checkRopeFreqsInfo(ropeFreqs, fields.headDim, path);
  const shapes = new Map([...infos].map(([name, info]) => [name, [...info.dims].reverse()]));
  const sharedClassifier = !infos.has('output');
  checkTensorShapes(shapes, { ...fields, sharedClassifier }, path, (name) => (infos.get(name)?.name ?? `${name}.weight`));
  for (const info of infos.values()) codecOf(info, path);
  checkGgufExtents(file, source.size);
  return { file, headerBytes, meta, infos, ropeFreqs, fields, shapes, sharedClassifier };
}

function readGgufFrom(source: ByteSource, path: string, options: { tokenizerPath?: string }): ModelDescription {
  const { file, headerBytes, meta, infos, ropeFreqs, fields, shapes, sharedClassifier } = readLayout(source, path);

  const loader = new TensorLoader(source, file, headerBytes);
  const factors = ropeFreqs ? loader.read(ropeFreqs, codecOf(ropeFreqs, path)) : undefined;
  const config: LlamaConfig = {
    ...fields,
    normEps: meta.require('llama.attention.layer_norm_rms_epsilon', meta.getFloat),
    ...ggufRopeFields(meta, factors, fields.headDim / 2, path),
    sharedClassifier,
  };
  checkFloatFields(config, path);

  const tensors = new Map<string, Tensor>();
  for (const [name, info] of infos) {
    const codec = codecOf(info, path);
    tensors.set(name, { name, shape: shapes.get(name)!, data: loader.read(info, codec), sourceDtype: codec.name as SourceDtype });
  }
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
    load: loader.report(),
    chatTemplate: meta.getString('tokenizer.chat_template'),
  };
}

/**
 * Parses the header from a prefix of the file, growing the prefix while the header runs past it. Tensor
 * extents are checked by the caller, after the names and shapes (so a corrupt shape is named as such).
 */
function readHeader(source: ByteSource, path: string): { file: GgufFile; headerBytes: number } {
  let prefixBytes = Math.min(source.size, FIRST_HEADER_READ_BYTES);
  for (;;) {
    try {
      const header = parseGgufHeader(source.read(0, prefixBytes), path);
      return { file: { ...header, fileBytes: source.size }, headerBytes: prefixBytes };
    } catch (err) {
      const headerCut = err instanceof WaferError && err.code === 'FILE_TRUNCATED' && prefixBytes < source.size;
      if (!headerCut) throw err;
      prefixBytes = Math.min(source.size, prefixBytes * 4);
    }
  }
}

/** Reads tensors one at a time and keeps the accounting of the bytes it holds (LoadReport). */
class TensorLoader {
  private heldBytes: number;
  private peakBytes: number;
  private readonly fileTensors: LoadReport['fileTensors'] = [];

  /**
   * `headerReadBytes` were read to parse the header (released after parsing); the header's own length stands
   * for the metadata that stays (vocabulary strings and arrays are copied out of it).
   */
  constructor(private readonly source: ByteSource, private readonly file: GgufFile, headerReadBytes: number) {
    this.heldBytes = file.dataOffset;
    this.peakBytes = Math.max(headerReadBytes, file.dataOffset);
  }

  /** The tensor's values as float32: F32 data is the read buffer itself, other types are decoded from it. */
  read(info: GgufTensorInfo, codec: GgmlCodec): Float32Array {
    const raw = this.source.read(this.file.dataOffset + info.offset, info.byteLength);
    this.fileTensors.push({ name: info.name, dtype: codec.name as SourceDtype });
    if (codec.id === GgmlType.F32) return this.keep(float32FromBytes(raw), 0);
    const out = new Float32Array((info.byteLength / codec.blockBytes) * codec.blockValues);
    codec.decode(raw, out);
    return this.keep(out, raw.byteLength);
  }

  report(): LoadReport {
    return { fileTensors: this.fileTensors, peakBytes: this.peakBytes };
  }

  /** Counts `data` as held from now on, and `transientBytes` (the raw read) as held only while decoding. */
  private keep(data: Float32Array, transientBytes: number): Float32Array {
    this.heldBytes += data.byteLength;
    this.peakBytes = Math.max(this.peakBytes, this.heldBytes + transientBytes);
    return data;
  }
}

/** The codec of a tensor's type: UNSUPPORTED naming the tensor and its type for types wafer does not decode. */
function codecOf(info: GgufTensorInfo, path: string): GgmlCodec {
  const codec = GGML_CODECS.get(info.type);
  if (!codec) {
    throw new WaferError('UNSUPPORTED', `${path}: tensor ${info.name} has type ${ggmlTypeName(info.type)}; wafer reads ${SUPPORTED_TYPES}`);
  }
  return codec;
}

/** The integer hyperparameters and head size, checked, from metadata and token_embd's shape. */
function readShape(meta: GgufMetadata, infos: Map<string, GgufTensorInfo>, path: string): ShapeFields & { headDim: number } {
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
  return { ...fields, headDim };
}
