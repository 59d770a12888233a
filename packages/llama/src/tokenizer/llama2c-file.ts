// Reads llama2.c's tokenizer.bin format: int32 max_token_length, then per token float32 score, int32 length, bytes.

import { readFileSync, statSync } from 'node:fs';
import { WaferError } from '@wafer/arch';
import { SentencePieceBpe } from './sentencepiece-bpe.js';

const LLAMA2C_BOS_ID = 1; // run.c hard-codes BOS 1 and EOS 2
const LLAMA2C_EOS_ID = 2;

/** Read the whole file, mapping a missing file to FILE_NOT_FOUND. */
export function readTokenizerFile(path: string): Buffer {
  try {
    if (!statSync(path).isFile()) throw new WaferError('FILE_NOT_FOUND', `tokenizer ${path} is not a file`);
    return readFileSync(path);
  } catch (err) {
    if (err instanceof WaferError) throw err;
    throw new WaferError('FILE_NOT_FOUND', `cannot read tokenizer ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Parse a llama2.c tokenizer file holding exactly `vocabSize` tokens (the model's vocab size, as run.c
 * assumes). Every length is bounds-checked; a file with a different token count is TOKENIZER_MISMATCH.
 */
export function readLlama2cTokenizer(path: string, vocabSize: number): SentencePieceBpe {
  return parseLlama2cTokenizer(readTokenizerFile(path), path, vocabSize);
}

/**
 * The llama2.c tokenizer in `bytes` (read from `path`, named in errors): exactly `vocabSize` tokens when
 * given, else as many as the file holds. A pure function of its bytes; throws only WaferErrors.
 */
export function parseLlama2cTokenizer(bytes: Uint8Array, path: string, vocabSize?: number): SentencePieceBpe {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 4) throw new WaferError('FILE_TRUNCATED', `tokenizer ${path}: ${bytes.byteLength} bytes, too short for the header`);
  const maxTokenLength = view.getInt32(0, true);
  if (maxTokenLength <= 0) throw new WaferError('BAD_HEADER', `tokenizer ${path}: max_token_length ${maxTokenLength} is not positive`);

  const pieces: Uint8Array[] = [];
  const scores: number[] = [];
  let offset = 4;
  while (offset < bytes.byteLength) {
    const id = pieces.length;
    if (offset + 8 > bytes.byteLength) {
      throw new WaferError('FILE_TRUNCATED', `tokenizer ${path}: token ${id} header ends past the file end (${bytes.byteLength} bytes)`);
    }
    const score = view.getFloat32(offset, true);
    const length = view.getInt32(offset + 4, true);
    offset += 8;
    if (length < 0 || length > maxTokenLength) {
      throw new WaferError('BAD_HEADER', `tokenizer ${path}: token ${id} has length ${length}, outside 0..max_token_length ${maxTokenLength}`);
    }
    if (offset + length > bytes.byteLength) {
      throw new WaferError('FILE_TRUNCATED', `tokenizer ${path}: token ${id} bytes end past the file end (${bytes.byteLength} bytes)`);
    }
    pieces.push(bytes.subarray(offset, offset + length));
    scores.push(score);
    offset += length;
  }
  if (vocabSize !== undefined && pieces.length !== vocabSize) {
    throw new WaferError('TOKENIZER_MISMATCH', `tokenizer ${path} has ${pieces.length} tokens but the model's vocab size is ${vocabSize}`);
  }
  return new SentencePieceBpe({
    pieces,
    scores,
    bosId: LLAMA2C_BOS_ID,
    eosId: LLAMA2C_EOS_ID,
    byteFallback: 'offset3',
    source: path,
  });
}
