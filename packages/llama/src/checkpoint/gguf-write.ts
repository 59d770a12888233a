// Writer of GGUF v3 Llama checkpoints with the metadata llama.cpp expects, in any type wafer encodes. Like
// llama.cpp, 1-D tensors (norms, rope_freqs) stay F32 and a matrix whose rows do not fit the type's block
// takes llama.cpp's fallback type. Tensors are encoded and written one at a time.

import { closeSync, openSync } from 'node:fs';
import { basename } from 'node:path';
import { WaferError } from '@wafer/arch';
import { ropeFreqFactorsOf } from '../model/rope-factors.js';
import type { ModelDescription } from '../model/types.js';
import { ByteWriter } from './byte-writer.js';
import { assertLittleEndianHost, writeAll, writeZeros } from './file-bytes.js';
import { ROPE_FREQS_TENSOR } from './gguf-rope.js';
import { GGUF_DEFAULT_ALIGNMENT, GGUF_FILE_TYPE, GGUF_MAGIC_BYTES, GgufValueType, type GgmlTypeName } from './gguf-types.js';
import { checkModelDescription, expectedTensorShapes } from './model-check.js';
import { codecByName, typeForRows, type GgmlCodec } from './quants/index.js';

/** We write GGUF v3 (same layout as v2, the version current llama.cpp writes). */
const GGUF_WRITE_VERSION = 3;

/** The vocabulary to embed as `tokenizer.ggml.*`. */
export interface GgufTokenizerData {
  /** `tokenizer.ggml.model`: 'llama' (SentencePiece, the default) or 'gpt2' (byte-level BPE). */
  model?: string;
  tokens: string[];
  scores: Float32Array | number[];
  tokenTypes: Int32Array | number[];
  /** BPE merges ('gpt2' vocabularies). */
  merges?: string[];
  /** `tokenizer.ggml.pre`: the byte-level pre-tokenizer name (e.g. 'llama-bpe'). */
  pre?: string;
  bos: number;
  eos: number;
}

export interface WriteGgufOptions {
  /** The type of the matrices (norms and rope_freqs stay F32). */
  dtype: GgmlTypeName;
  /** Without it the file has no vocabulary: our reader accepts that, llama.cpp does not. */
  tokenizer?: GgufTokenizerData;
}

/** What writeGguf wrote: each tensor's file name and type, in file order, and the file size. */
export interface GgufWriteSummary {
  tensors: Array<{ name: string; dtype: GgmlTypeName }>;
  fileBytes: number;
}

/** One tensor to write: its file name, shape (row-major), values and the codec it is stored with. */
interface PlannedTensor {
  fileName: string;
  shape: number[];
  data: Float32Array;
  codec: GgmlCodec;
  byteLength: number;
}

/**
 * Writes `model` as a GGUF v3 file of architecture `llama`. `output` is written only when not shared; a
 * model with Llama 3 RoPE scaling (or GGUF factors) gets a rope_freqs.weight tensor, as llama.cpp's
 * converter writes it.
 */
export function writeGguf(path: string, model: ModelDescription, options: WriteGgufOptions): GgufWriteSummary {
  assertLittleEndianHost();
  const c = model.config;
  checkModelDescription(model);
  if (c.headDim * c.nHeads !== c.dim) throw new WaferError('UNSUPPORTED', `cannot write ${path}: head size ${c.headDim} × ${c.nHeads} heads is not dim ${c.dim}`);
  const plan = planTensors(model, options.dtype);

  const metadata = new ByteWriter();
  const kvCount = writeMetadata(metadata, model, options);
  const header = new ByteWriter().raw(GGUF_MAGIC_BYTES).u32(GGUF_WRITE_VERSION).u64(plan.length).u64(kvCount).raw(metadata.bytes());
  let offset = 0;
  for (const t of plan) {
    header.ggufString(t.fileName).u32(t.shape.length);
    for (const ne of [...t.shape].reverse()) header.u64(ne); // ne0 (columns) first
    header.u32(t.codec.id).u64(offset);
    offset = align(offset + t.byteLength);
  }
  const headerBytes = header.padTo(GGUF_DEFAULT_ALIGNMENT).bytes();

  const fd = openSync(path, 'w');
  try {
    writeAll(fd, headerBytes);
    for (const t of plan) {
      const bytes = t.codec.encode(t.data);
      writeAll(fd, bytes);
      writeZeros(fd, align(bytes.length) - bytes.length);
    }
  } finally {
    closeSync(fd);
  }
  return { tensors: plan.map((t) => ({ name: t.fileName, dtype: t.codec.name })), fileBytes: headerBytes.length + offset };
}

/** Every tensor in file order (rope_freqs first, as llama.cpp's converter writes it) with its type and size. */
function planTensors(model: ModelDescription, dtype: GgmlTypeName): PlannedTensor[] {
  const c = model.config;
  const plan: PlannedTensor[] = [];
  const add = (fileName: string, shape: number[], data: Float32Array, codec: GgmlCodec) => {
    const elements = shape.reduce((a, b) => a * b, 1);
    plan.push({ fileName, shape, data, codec, byteLength: (elements / codec.blockValues) * codec.blockBytes });
  };
  const factors = ropeFreqFactorsOf(c);
  if (factors !== undefined) add(`${ROPE_FREQS_TENSOR}.weight`, [factors.length], factors, codecByName('F32'));
  for (const name of expectedTensorShapes(c).keys()) {
    if (name === 'output' && c.sharedClassifier) continue;
    const tensor = model.tensors.get(name)!;
    const matrix = tensor.shape.length === 2;
    add(`${name}.weight`, tensor.shape, tensor.data, matrix ? typeForRows(dtype, tensor.shape[1]) : codecByName('F32'));
  }
  return plan;
}

function align(offset: number): number {
  return Math.ceil(offset / GGUF_DEFAULT_ALIGNMENT) * GGUF_DEFAULT_ALIGNMENT;
}

/** Appends every metadata KV and returns how many were written. */
function writeMetadata(out: ByteWriter, model: ModelDescription, options: WriteGgufOptions): number {
  const c = model.config;
  let count = 0;
  const key = (name: string, type: number) => {
    count++;
    return out.ggufString(name).u32(type);
  };
  const u32 = (name: string, value: number) => key(name, GgufValueType.UINT32).u32(value);
  const f32 = (name: string, value: number) => key(name, GgufValueType.FLOAT32).f32(value);
  const str = (name: string, value: string) => key(name, GgufValueType.STRING).ggufString(value);
  const strings = (name: string, values: string[]) => {
    key(name, GgufValueType.ARRAY).u32(GgufValueType.STRING).u64(values.length);
    for (const value of values) out.ggufString(value);
  };

  str('general.architecture', 'llama');
  str('general.name', basename(model.path));
  u32('general.alignment', GGUF_DEFAULT_ALIGNMENT);
  u32('general.file_type', GGUF_FILE_TYPE[options.dtype]);
  u32('llama.vocab_size', c.vocabSize);
  u32('llama.context_length', c.seqLen);
  u32('llama.embedding_length', c.dim);
  u32('llama.block_count', c.nLayers);
  u32('llama.feed_forward_length', c.hiddenDim);
  u32('llama.rope.dimension_count', c.headDim);
  u32('llama.attention.head_count', c.nHeads);
  u32('llama.attention.head_count_kv', c.nKvHeads);
  f32('llama.attention.layer_norm_rms_epsilon', c.normEps);
  f32('llama.rope.freq_base', c.ropeTheta);

  if (model.chatTemplate !== undefined) str('tokenizer.chat_template', model.chatTemplate);

  const tok = options.tokenizer;
  if (!tok) return count;
  if (tok.scores.length !== tok.tokens.length || tok.tokenTypes.length !== tok.tokens.length) {
    throw new WaferError('USAGE', `cannot write ${model.path} as GGUF: tokenizer tokens, scores and token types differ in length`);
  }
  str('tokenizer.ggml.model', tok.model ?? 'llama');
  if (tok.pre !== undefined) str('tokenizer.ggml.pre', tok.pre);
  strings('tokenizer.ggml.tokens', tok.tokens);
  key('tokenizer.ggml.scores', GgufValueType.ARRAY).u32(GgufValueType.FLOAT32).u64(tok.scores.length);
  for (const score of tok.scores) out.f32(score);
  key('tokenizer.ggml.token_type', GgufValueType.ARRAY).u32(GgufValueType.INT32).u64(tok.tokenTypes.length);
  for (const type of tok.tokenTypes) out.i32(type);
  if (tok.merges !== undefined) strings('tokenizer.ggml.merges', tok.merges);
  u32('tokenizer.ggml.bos_token_id', tok.bos);
  u32('tokenizer.ggml.eos_token_id', tok.eos);
  return count;
}
