// Writer of GGUF v3 Llama checkpoints with the metadata llama.cpp expects, in F32, F16 or Q8_0. Like
// llama.cpp's converter, 1-D tensors (norms) stay F32 and Q8_0 applies only to rows divisible by 32.

import { closeSync, openSync } from 'node:fs';
import { basename } from 'node:path';
import { WaferError } from '@wafer/arch';
import type { ModelDescription, Tensor } from '../model/types.js';
import { ByteWriter } from './byte-writer.js';
import { Q8_0_BLOCK_VALUES, float32Bytes, float32ToFloat16Bytes, float32ToQ8_0Bytes } from './dtype-codec.js';
import { assertLittleEndianHost, writeAll, writeZeros } from './file-bytes.js';
import { GGUF_DEFAULT_ALIGNMENT, GGUF_FILE_TYPE, GGUF_MAGIC_BYTES, GgmlType, GgufValueType } from './gguf-types.js';
import { checkModelDescription, expectedTensorShapes } from './model-check.js';

/** We write GGUF v3 (same layout as v2, the version current llama.cpp writes). */
const GGUF_WRITE_VERSION = 3;

/** The vocabulary to embed as `tokenizer.ggml.*` (SentencePiece 'llama' model). */
export interface GgufTokenizerData {
  tokens: string[];
  scores: Float32Array | number[];
  tokenTypes: Int32Array | number[];
  bos: number;
  eos: number;
}

export interface WriteGgufOptions {
  dtype: 'F32' | 'F16' | 'Q8_0';
  /** Without it the file has no vocabulary: our reader accepts that, llama.cpp does not. */
  tokenizer?: GgufTokenizerData;
}

/** Writes `model` as a GGUF v3 file of architecture `llama`. `output` is written only when not shared. */
export function writeGguf(path: string, model: ModelDescription, options: WriteGgufOptions): void {
  assertLittleEndianHost();
  const c = model.config;
  if (c.ropeScaling) throw new WaferError('UNSUPPORTED', `cannot write ${path}: GGUF RoPE scaling (rope_freqs) is not implemented`);
  checkModelDescription(model);
  const names = [...expectedTensorShapes(c).keys()].filter((name) => name !== 'output' || !c.sharedClassifier);
  const encoded = names.map((name) => encodeTensor(model.tensors.get(name)!, options.dtype));

  const metadata = new ByteWriter();
  const kvCount = writeMetadata(metadata, model, options);
  const header = new ByteWriter().raw(GGUF_MAGIC_BYTES).u32(GGUF_WRITE_VERSION).u64(names.length).u64(kvCount).raw(metadata.bytes());
  let offset = 0;
  for (const [i, name] of names.entries()) {
    const tensor = model.tensors.get(name)!;
    header.ggufString(`${name}.weight`).u32(tensor.shape.length);
    for (const ne of [...tensor.shape].reverse()) header.u64(ne); // ne0 (columns) first
    header.u32(encoded[i].type).u64(offset);
    offset = align(offset + encoded[i].bytes.length);
  }
  header.padTo(GGUF_DEFAULT_ALIGNMENT);

  const fd = openSync(path, 'w');
  try {
    writeAll(fd, header.bytes());
    for (const { bytes } of encoded) {
      writeAll(fd, bytes);
      writeZeros(fd, align(bytes.length) - bytes.length);
    }
  } finally {
    closeSync(fd);
  }
}

function align(offset: number): number {
  return Math.ceil(offset / GGUF_DEFAULT_ALIGNMENT) * GGUF_DEFAULT_ALIGNMENT;
}

function encodeTensor(tensor: Tensor, dtype: WriteGgufOptions['dtype']): { type: number; bytes: Uint8Array } {
  const matrix = tensor.shape.length === 2;
  if (dtype === 'F16' && matrix) return { type: GgmlType.F16, bytes: float32ToFloat16Bytes(tensor.data) };
  if (dtype === 'Q8_0' && matrix && tensor.shape[1] % Q8_0_BLOCK_VALUES === 0) {
    return { type: GgmlType.Q8_0, bytes: float32ToQ8_0Bytes(tensor.data) };
  }
  return { type: GgmlType.F32, bytes: float32Bytes(tensor.data) };
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
  str('tokenizer.ggml.model', 'llama');
  key('tokenizer.ggml.tokens', GgufValueType.ARRAY).u32(GgufValueType.STRING).u64(tok.tokens.length);
  for (const token of tok.tokens) out.ggufString(token);
  key('tokenizer.ggml.scores', GgufValueType.ARRAY).u32(GgufValueType.FLOAT32).u64(tok.scores.length);
  for (const score of tok.scores) out.f32(score);
  key('tokenizer.ggml.token_type', GgufValueType.ARRAY).u32(GgufValueType.INT32).u64(tok.tokenTypes.length);
  for (const type of tok.tokenTypes) out.i32(type);
  u32('tokenizer.ggml.bos_token_id', tok.bos);
  u32('tokenizer.ggml.eos_token_id', tok.eos);
  return count;
}
