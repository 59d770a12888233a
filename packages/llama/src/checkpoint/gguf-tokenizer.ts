// The tokenizer embedded in a GGUF file (`tokenizer.ggml.*`), turned into a TokenizerSource, plus the
// BOS/EOS ids and run.c's stop-on-BOS rule the model description carries.

import { WaferError } from '@wafer/arch';
import type { TokenizerSource } from '../model/types.js';
import { GgufValueType } from './gguf-types.js';
import type { GgufMetadata } from './gguf-metadata.js';

/** llama.cpp's defaults for the SentencePiece ('llama') vocabulary when the ids are not in the file. */
const SPM_DEFAULT_BOS = 1;
const SPM_DEFAULT_EOS = 2;

export interface GgufTokenizerInfo {
  tokenizer?: TokenizerSource;
  bosId: number;
  eosId: number;
  stopOnBos: boolean;
}

/**
 * Reads `tokenizer.ggml.{model,tokens,scores,token_type,merges,bos_token_id,eos_token_id}`.
 * Absent scores become zeros (as llama.cpp treats them). Absent BOS/EOS ids default to 1/2 only for the
 * SentencePiece 'llama' vocabulary (or no embedded vocabulary at all); otherwise they are BAD_HEADER.
 * stopOnBos follows run.c: true when the vocabulary is SentencePiece 'llama' and BOS is id 1.
 */
export function readGgufTokenizer(meta: GgufMetadata, path: string): GgufTokenizerInfo {
  const model = meta.getString('tokenizer.ggml.model');
  const spm = model === undefined || model === 'llama';
  const bosId = meta.getCount('tokenizer.ggml.bos_token_id') ?? (spm ? SPM_DEFAULT_BOS : missing(path, 'tokenizer.ggml.bos_token_id'));
  const eosId = meta.getCount('tokenizer.ggml.eos_token_id') ?? (spm ? SPM_DEFAULT_EOS : missing(path, 'tokenizer.ggml.eos_token_id'));
  const stopOnBos = model === 'llama' && bosId === SPM_DEFAULT_BOS;

  const tokensArray = meta.getArray('tokenizer.ggml.tokens', [GgufValueType.STRING]);
  if (!tokensArray) return { bosId, eosId, stopOnBos };
  if (model === undefined) missing(path, 'tokenizer.ggml.model');
  const tokens = tokensArray.values as string[];
  const vocab = tokens.length;

  const scoresArray = meta.getArray('tokenizer.ggml.scores', [GgufValueType.FLOAT32]);
  const scores = scoresArray ? (scoresArray.values as Float32Array) : new Float32Array(vocab);
  checkLength(path, 'tokenizer.ggml.scores', scores.length, vocab);
  const typesArray = meta.getArray('tokenizer.ggml.token_type', [GgufValueType.INT32]);
  const tokenTypes = typesArray ? (typesArray.values as Int32Array) : undefined;
  if (tokenTypes) checkLength(path, 'tokenizer.ggml.token_type', tokenTypes.length, vocab);
  const mergesArray = meta.getArray('tokenizer.ggml.merges', [GgufValueType.STRING]);
  for (const [name, id] of [['bos_token_id', bosId], ['eos_token_id', eosId]] as const) {
    if (id >= vocab) throw new WaferError('BAD_HEADER', `${path}: tokenizer.ggml.${name} ${id} is outside the ${vocab}-token vocabulary`);
  }

  const tokenizer: TokenizerSource = { kind: 'gguf', tokens, scores, bosId, eosId, model: model!, path };
  if (tokenTypes) tokenizer.tokenTypes = tokenTypes;
  if (mergesArray) tokenizer.merges = mergesArray.values as string[];
  return { tokenizer, bosId, eosId, stopOnBos };
}

function missing(path: string, key: string): never {
  throw new WaferError('BAD_HEADER', `${path}: required metadata ${key} is missing`);
}

function checkLength(path: string, key: string, length: number, vocab: number): void {
  if (length !== vocab) throw new WaferError('BAD_HEADER', `${path}: ${key} has ${length} entries but tokenizer.ggml.tokens has ${vocab}`);
}
