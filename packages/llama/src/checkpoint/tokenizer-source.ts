// Where a checkpoint's tokenizer lives when it is a separate file: an explicit --tokenizer path, or the
// conventional file names beside the checkpoint. Only paths are resolved here; src/tokenizer/ parses them.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TokenizerSource } from '../model/types.js';
import { fileSizeBytes } from './file-bytes.js';

/**
 * An explicitly given tokenizer file: `*.json` is a Hugging Face tokenizer.json, anything else a llama2.c
 * tokenizer.bin. A missing file is FILE_NOT_FOUND.
 */
export function tokenizerFromPath(path: string): TokenizerSource {
  fileSizeBytes(path, 'tokenizer');
  return path.toLowerCase().endsWith('.json') ? { kind: 'hf-json', path } : { kind: 'llama2c', path };
}

/**
 * The llama2.c tokenizer beside a `.bin` checkpoint: `tok<vocabSize>.bin` (named for this vocabulary, so it
 * wins) else `tokenizer.bin`; undefined when neither exists (the caller reports that).
 */
export function findLlama2cTokenizer(checkpointPath: string, vocabSize: number): TokenizerSource | undefined {
  const folder = dirname(checkpointPath);
  for (const name of [`tok${vocabSize}.bin`, 'tokenizer.bin']) {
    const candidate = join(folder, name);
    if (existsSync(candidate)) return { kind: 'llama2c', path: candidate };
  }
  return undefined;
}

/** `tokenizer.json` inside a Hugging Face model directory, or undefined. */
export function findHfTokenizer(directory: string): TokenizerSource | undefined {
  const candidate = join(directory, 'tokenizer.json');
  return existsSync(candidate) ? { kind: 'hf-json', path: candidate } : undefined;
}
