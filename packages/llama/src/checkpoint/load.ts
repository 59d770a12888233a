// The one entry point that loads any checkpoint: sniffs the format (directory → Hugging Face, "GGUF" magic
// → GGUF, anything else → llama2.c legacy .bin) and hands the path to that format's reader.

import { dirname, join } from 'node:path';
import { WaferError } from '@wafer/arch';
import type { ModelDescription } from '../model/types.js';
import { readFilePrefix, statPath } from './file-bytes.js';
import { hasGgufMagic } from './gguf-parse.js';
import { readGguf, readGgufShape } from './gguf-read.js';
import { readHfConfig } from './hf-config.js';
import { readHfDirectory } from './hf-dir.js';
import { readLlama2c, readLlama2cShape } from './llama2c.js';
import type { CheckpointShape } from './model-check.js';
import { SAFETENSORS_MAX_HEADER_BYTES } from './safetensors.js';

export interface LoadModelOptions {
  /** A tokenizer file to use instead of the checkpoint's own (`.json` → tokenizer.json, else llama2.c .bin). */
  tokenizerPath?: string;
}

/**
 * Loads a checkpoint into a ModelDescription. A directory is read as a Hugging Face model, a file starting
 * with "GGUF" as GGUF, any other file as a llama2.c legacy .bin (whose header checks then explain what is
 * wrong). A missing path is FILE_NOT_FOUND; `tokenizer` is undefined when no tokenizer was found.
 */
export function loadModel(path: string, options: LoadModelOptions = {}): ModelDescription {
  switch (checkpointFormat(path)) {
    case 'hf': return readHfDirectory(path, options);
    case 'gguf': return readGguf(path, options);
    case 'llama2c': return readLlama2c(path, options);
  }
}

/**
 * A checkpoint's shape from its header alone: llama2.c's 28 bytes (checked against the file size), GGUF's
 * metadata and tensor infos (validated as loadModel does), a Hugging Face directory's config.json (its
 * tie_word_embeddings says whether the classifier is shared). No tensor is read, so a file of any size answers
 * at once: what the analytical model needs.
 */
export function readCheckpointShape(path: string): CheckpointShape {
  switch (checkpointFormat(path)) {
    case 'hf': {
      const hf = readHfConfig(join(path, 'config.json'));
      return pickShape(hf.config, hf.tieWordEmbeddings);
    }
    case 'gguf': return readGgufShape(path);
    case 'llama2c': {
      const c = readLlama2cShape(path);
      return pickShape(c, c.sharedClassifier);
    }
  }
}

function pickShape(c: Omit<CheckpointShape, 'sharedClassifier'>, sharedClassifier: boolean): CheckpointShape {
  const { dim, hiddenDim, nLayers, nHeads, nKvHeads, vocabSize, seqLen, headDim } = c;
  return { dim, hiddenDim, nLayers, nHeads, nKvHeads, vocabSize, seqLen, headDim, sharedClassifier };
}

/** A directory is a Hugging Face model, a file starting with "GGUF" a GGUF, any other file a llama2.c .bin. */
function checkpointFormat(path: string): 'hf' | 'gguf' | 'llama2c' {
  if (statPath(path, 'checkpoint').isDirectory()) return 'hf';
  const head = readFilePrefix(path, 9, 'checkpoint');
  if (hasGgufMagic(head)) return 'gguf';
  if (looksLikeSafetensors(head)) {
    throw new WaferError(
      'UNSUPPORTED',
      `${path} is a bare safetensors file; pass its Hugging Face directory (${dirname(path)}) with config.json instead`,
    );
  }
  return 'llama2c';
}

export type { CheckpointShape };

/** A safetensors file starts with a plausible uint64 header length followed by '{'. */
function looksLikeSafetensors(head: Uint8Array): boolean {
  if (head.length < 9 || head[8] !== 0x7b) return false;
  const headerBytes = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true);
  return headerBytes <= BigInt(SAFETENSORS_MAX_HEADER_BYTES);
}
