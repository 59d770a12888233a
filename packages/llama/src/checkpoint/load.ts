// The one entry point that loads any checkpoint: sniffs the format (directory → Hugging Face, "GGUF" magic
// → GGUF, anything else → llama2.c legacy .bin) and hands the path to that format's reader.

import { dirname } from 'node:path';
import { WaferError } from '@wafer/arch';
import type { ModelDescription } from '../model/types.js';
import { readFilePrefix, statPath } from './file-bytes.js';
import { hasGgufMagic } from './gguf-parse.js';
import { readGguf } from './gguf-read.js';
import { readHfDirectory } from './hf-dir.js';
import { readLlama2c } from './llama2c.js';
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
  if (statPath(path, 'checkpoint').isDirectory()) return readHfDirectory(path, options);
  const head = readFilePrefix(path, 9, 'checkpoint');
  if (hasGgufMagic(head)) return readGguf(path, options);
  if (looksLikeSafetensors(head)) {
    throw new WaferError(
      'UNSUPPORTED',
      `${path} is a bare safetensors file; pass its Hugging Face directory (${dirname(path)}) with config.json instead`,
    );
  }
  return readLlama2c(path, options);
}

/** A safetensors file starts with a plausible uint64 header length followed by '{'. */
function looksLikeSafetensors(head: Uint8Array): boolean {
  if (head.length < 9 || head[8] !== 0x7b) return false;
  const headerBytes = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true);
  return headerBytes <= BigInt(SAFETENSORS_MAX_HEADER_BYTES);
}
