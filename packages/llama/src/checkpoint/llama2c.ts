// Reader of llama2.c's legacy `.bin` checkpoints (run.c layout): a 7 × int32 header, then float32 weights
// grouped by kind across layers, the unused RoPE tables, and the classifier when it is not shared.

import { WaferError } from '@wafer/arch';
import type { LlamaConfig, ModelDescription, Tensor } from '../model/types.js';
import { fileSizeBytes, readFileBytes, readFilePrefix } from './file-bytes.js';
import { float32FromBytes } from './dtype-codec.js';
import { checkShapeFields, checkTensorShapes, shapesOf, type ShapeFields } from './model-check.js';
import { findLlama2cTokenizer, tokenizerFromPath } from './tokenizer-source.js';

/** Header: dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size (negative → separate classifier), seq_len. */
export const LLAMA2C_HEADER_BYTES = 7 * 4;

/** First int32 of llama2.c's versioned exports (`export.py --version 1/2`), which we do not read. */
const LLAMA2C_VERSIONED_MAGIC = 0x616b3432;

/** llama2.c's fixed hyperparameters (run.c hard-codes them; they are not in the header). */
export const LLAMA2C_NORM_EPS = 1e-5;
export const LLAMA2C_ROPE_THETA = 10000;

const HEADER_FIELD_NAMES: Record<keyof ShapeFields, string> = {
  dim: 'dim',
  hiddenDim: 'hidden_dim',
  nLayers: 'n_layers',
  nHeads: 'n_heads',
  nKvHeads: 'n_kv_heads',
  vocabSize: '|vocab_size|',
  seqLen: 'seq_len',
};

/** Float32 counts of each section of a llama2.c file, in file order. */
export function llama2cSections(config: LlamaConfig): { name: string; floats: number }[] {
  const { dim, hiddenDim, nLayers: L, nHeads, nKvHeads, headDim, vocabSize, seqLen } = config;
  const sections = [
    { name: 'token_embd', floats: vocabSize * dim },
    { name: 'attn_norm', floats: L * dim },
    { name: 'attn_q', floats: L * nHeads * headDim * dim },
    { name: 'attn_k', floats: L * nKvHeads * headDim * dim },
    { name: 'attn_v', floats: L * nKvHeads * headDim * dim },
    { name: 'attn_output', floats: L * dim * nHeads * headDim },
    { name: 'ffn_norm', floats: L * dim },
    { name: 'ffn_gate', floats: L * hiddenDim * dim },
    { name: 'ffn_down', floats: L * dim * hiddenDim },
    { name: 'ffn_up', floats: L * hiddenDim * dim },
    { name: 'output_norm', floats: dim },
    { name: 'rope_tables', floats: seqLen * headDim }, // freq_cis_real + freq_cis_imag, seq_len × head_size/2 each
  ];
  if (!config.sharedClassifier) sections.push({ name: 'output', floats: vocabSize * dim });
  return sections;
}

/**
 * Reads a llama2.c legacy checkpoint. The header is validated against the file size before the file is read;
 * the file may omit the RoPE tables (both sizes are accepted; they never coincide). Tensors are float32
 * views into one buffer holding the whole file. The tokenizer is `tokenizerPath`, else `tok<vocab>.bin` or
 * `tokenizer.bin` beside the checkpoint, else undefined.
 */
export function readLlama2c(path: string, options: { tokenizerPath?: string } = {}): ModelDescription {
  const config = readLlama2cShape(path); // header and size first: a wrong file is named before it is read
  const model = readLlama2cBytes(readFileBytes(path, 'checkpoint'), path);
  return {
    ...model,
    tokenizer: options.tokenizerPath ? tokenizerFromPath(options.tokenizerPath) : findLlama2cTokenizer(path, config.vocabSize),
  };
}

/** The shape of a llama2.c checkpoint from its 28-byte header, checked against the file's size; no tensor is read. */
export function readLlama2cShape(path: string): LlamaConfig {
  const config = parseLlama2cHeader(readFilePrefix(path, LLAMA2C_HEADER_BYTES, 'checkpoint'), path);
  checkLlama2cSize(config, fileSizeBytes(path, 'checkpoint'), path);
  return config;
}

/**
 * A llama2.c checkpoint held in `bytes` (read from `path`, named in errors), without its tokenizer (a
 * separate file). A pure function of its bytes: the header is checked against their length before any
 * tensor is cut from them; throws only WaferErrors.
 */
export function readLlama2cBytes(bytes: Uint8Array, path: string): ModelDescription {
  const config = parseLlama2cHeader(bytes.subarray(0, LLAMA2C_HEADER_BYTES), path);
  const hasRopeTables = checkLlama2cSize(config, bytes.length, path);
  const tensors = new Map<string, Tensor>();
  let offset = LLAMA2C_HEADER_BYTES;
  for (const section of llama2cSections(config)) {
    if (section.name === 'rope_tables') {
      if (hasRopeTables) offset += 4 * section.floats; // run.c skips them too
      continue;
    }
    addSection(tensors, section.name, float32FromBytes(bytes.subarray(offset, offset + 4 * section.floats)), config);
    offset += 4 * section.floats;
  }
  const fileTensors = [...tensors.values()].map((t) => ({ name: t.name, dtype: t.sourceDtype }));
  if (config.sharedClassifier) tensors.set('output', { ...tensors.get('token_embd')!, name: 'output' });
  checkTensorShapes(shapesOf(tensors), { ...config, sharedClassifier: false }, path);

  return {
    format: 'llama2c',
    path,
    config,
    tensors,
    bosId: 1,
    eosId: 2,
    stopOnBos: true,
    load: { fileTensors, peakBytes: bytes.length }, // every tensor is a view of the file's bytes
  };
}

/**
 * Checks a file of `fileBytes` bytes against the size the header implies, with or without the RoPE tables
 * (FILE_TRUNCATED when shorter, BAD_HEADER otherwise); returns whether the tables are present.
 */
function checkLlama2cSize(config: LlamaConfig, fileBytes: number, path: string): boolean {
  const withRope = llama2cSections(config).reduce((sum, s) => sum + s.floats, 0);
  const withoutRope = withRope - config.seqLen * config.headDim;
  const expected = (floats: number) => LLAMA2C_HEADER_BYTES + 4 * floats;
  if (fileBytes !== expected(withRope) && fileBytes !== expected(withoutRope)) {
    const code = fileBytes < expected(withoutRope) ? 'FILE_TRUNCATED' : 'BAD_HEADER';
    throw new WaferError(
      code,
      `${path}: llama2.c header (${describeConfig(config)}) implies ${expected(withRope)} bytes ` +
        `(or ${expected(withoutRope)} without RoPE tables) but the file has ${fileBytes}`,
    );
  }
  return fileBytes === expected(withRope);
}

/** The hyperparameters in the 28-byte header `head` (the first bytes of the file at `path`), checked. */
export function parseLlama2cHeader(head: Uint8Array, path: string): LlamaConfig {
  const firstBytes = quoteBytes(head.subarray(0, 4));
  const source = `${path}: read as a llama2.c .bin since it lacks the GGUF magic (starts with ${firstBytes}), but its header is invalid`;
  if (head.length < LLAMA2C_HEADER_BYTES) {
    throw new WaferError('FILE_TRUNCATED', `${source}: ${head.length} bytes is shorter than the ${LLAMA2C_HEADER_BYTES}-byte header`);
  }
  const ints = new DataView(head.buffer, head.byteOffset, LLAMA2C_HEADER_BYTES);
  const field = (i: number) => ints.getInt32(4 * i, true);
  if (field(0) === LLAMA2C_VERSIONED_MAGIC) {
    throw new WaferError(
      'UNSUPPORTED',
      `${path} is a versioned llama2.c export (magic "ak42", version ${field(1)}); re-export it with --version 0 (legacy)`,
    );
  }
  const signedVocab = field(5);
  const fields: ShapeFields = {
    dim: field(0),
    hiddenDim: field(1),
    nLayers: field(2),
    nHeads: field(3),
    nKvHeads: field(4),
    vocabSize: Math.abs(signedVocab),
    seqLen: field(6),
  };
  checkShapeFields(fields, source, HEADER_FIELD_NAMES);
  return {
    ...fields,
    headDim: fields.dim / fields.nHeads,
    normEps: LLAMA2C_NORM_EPS,
    ropeTheta: LLAMA2C_ROPE_THETA,
    sharedClassifier: signedVocab > 0,
  };
}

/** Splits a section into tensors: global ones keep their name, per-layer ones become blk.N.<kind>. */
function addSection(tensors: Map<string, Tensor>, kind: string, data: Float32Array, config: LlamaConfig): void {
  const shapes = perLayerShapes(config);
  const layerShape = shapes[kind];
  if (!layerShape) {
    const shape = kind === 'output_norm' ? [config.dim] : [config.vocabSize, config.dim];
    tensors.set(kind, { name: kind, shape, data, sourceDtype: 'F32' });
    return;
  }
  const perLayer = data.length / config.nLayers;
  for (let l = 0; l < config.nLayers; l++) {
    const name = `blk.${l}.${kind}`;
    tensors.set(name, { name, shape: layerShape, data: data.subarray(l * perLayer, (l + 1) * perLayer), sourceDtype: 'F32' });
  }
}

function perLayerShapes(c: LlamaConfig): Record<string, number[]> {
  const q = c.nHeads * c.headDim;
  const kv = c.nKvHeads * c.headDim;
  return {
    attn_norm: [c.dim],
    attn_q: [q, c.dim],
    attn_k: [kv, c.dim],
    attn_v: [kv, c.dim],
    attn_output: [c.dim, q],
    ffn_norm: [c.dim],
    ffn_gate: [c.hiddenDim, c.dim],
    ffn_down: [c.dim, c.hiddenDim],
    ffn_up: [c.hiddenDim, c.dim],
  };
}

function describeConfig(c: LlamaConfig): string {
  const vocab = c.sharedClassifier ? c.vocabSize : -c.vocabSize;
  const heads = `n_heads ${c.nHeads}, n_kv_heads ${c.nKvHeads}`;
  return `dim ${c.dim}, hidden_dim ${c.hiddenDim}, n_layers ${c.nLayers}, ${heads}, vocab_size ${vocab}, seq_len ${c.seqLen}`;
}

/** Bytes as a quoted string with non-printable bytes escaped: "GGUF", "@\x00\x00\x00". */
export function quoteBytes(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return `"${out}"`;
}
