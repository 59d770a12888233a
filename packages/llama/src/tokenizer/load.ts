// Resolves a model's tokenizer: an explicit --tokenizer file, else the one the checkpoint names or embeds,
// and checks that its vocabulary matches the model's.

import { WaferError } from '@wafer/arch';
import type { ModelDescription, TokenizerSource } from '../model/types.js';
import type { Tokenizer } from './types.js';
import { tokenizerFromGguf } from './gguf-tokenizer.js';
import { readHfTokenizerJson } from './hf-json.js';
import { readLlama2cTokenizer } from './llama2c-file.js';

/** The tokenizer a source describes; llama2.c files are read against `vocabSize` (their count is not stored). */
export function tokenizerFromSource(source: TokenizerSource, vocabSize: number): Tokenizer {
  switch (source.kind) {
    case 'llama2c':
      return readLlama2cTokenizer(source.path, vocabSize);
    case 'hf-json':
      return readHfTokenizerJson(source.path);
    case 'gguf':
      return tokenizerFromGguf(source);
  }
}

/**
 * The tokenizer for `model`: `overridePath` if given (`*.json` → Hugging Face tokenizer.json, anything else
 * a llama2.c tokenizer.bin), else `model.tokenizer`. No tokenizer → FILE_NOT_FOUND; a vocabulary size other
 * than model.config.vocabSize → TOKENIZER_MISMATCH naming the file and both sizes.
 */
export function loadTokenizer(model: ModelDescription, overridePath?: string): Tokenizer {
  const vocabSize = model.config.vocabSize;
  let source: TokenizerSource | undefined = model.tokenizer;
  if (overridePath !== undefined) {
    source = overridePath.toLowerCase().endsWith('.json') ? { kind: 'hf-json', path: overridePath } : { kind: 'llama2c', path: overridePath };
  }
  if (source === undefined) {
    throw new WaferError('FILE_NOT_FOUND', `no tokenizer for ${model.path}: pass --tokenizer FILE`);
  }
  const tokenizer = tokenizerFromSource(source, vocabSize);
  if (tokenizer.vocabSize !== vocabSize) {
    throw new WaferError('TOKENIZER_MISMATCH', `tokenizer ${source.path} has ${tokenizer.vocabSize} tokens but the model ${model.path} has vocab size ${vocabSize}`);
  }
  return tokenizer;
}
