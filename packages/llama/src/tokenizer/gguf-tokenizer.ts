// Builds the tokenizer embedded in a GGUF file: `tokenizer.ggml.model` 'llama' is SentencePiece BPE (run.c rules),
// 'gpt2' is Llama-3-style byte-level BPE, expressed as a tokenizer.json object for HfJsonTokenizer.

import { WaferError } from '@wafer/arch';
import type { TokenizerSource } from '../model/types.js';
import type { Tokenizer } from './types.js';
import { LLAMA3_SPLIT_REGEX } from './byte-level.js';
import { HfJsonTokenizer } from './hf-json.js';
import { GGUF_TOKEN_TYPE, SentencePieceBpe } from './sentencepiece-bpe.js';

type GgufTokenizerSource = Extract<TokenizerSource, { kind: 'gguf' }>;

/** `tokenizer.ggml.pre` values that mean Llama 3's split regex (llama.cpp's LLAMA3 pre-tokenizer type). */
const LLAMA3_PRE = ['llama-bpe', 'llama3'];

/** A GGUF 'llama' vocabulary as SentencePieceBpe: '▁' becomes a space, bytes are the `<0xXX>` tokens. */
export function sentencePieceFromGguf(source: GgufTokenizerSource): SentencePieceBpe {
  return new SentencePieceBpe({
    pieces: source.tokens.map((t) => t.replaceAll('▁', ' ')),
    scores: source.scores,
    tokenTypes: source.tokenTypes,
    bosId: source.bosId,
    eosId: source.eosId,
    byteFallback: 'named',
    source: source.path,
  });
}

/**
 * A GGUF 'gpt2' vocabulary as a Llama-3 tokenizer.json: vocab from the tokens, ranked merges, the Llama 3
 * split regex + ByteLevel pre-tokenizer, ignore_merges (as llama.cpp does for Llama 3); CONTROL tokens are
 * special added tokens and USER_DEFINED ones plain added tokens.
 */
export function byteLevelFromGguf(source: GgufTokenizerSource): HfJsonTokenizer {
  if (source.merges === undefined || source.merges.length === 0) {
    throw new WaferError('BAD_HEADER', `tokenizer ${source.path}: tokenizer.ggml.model is gpt2 but tokenizer.ggml.merges is missing`);
  }
  if (source.pre !== undefined && !LLAMA3_PRE.includes(source.pre)) {
    throw new WaferError('UNSUPPORTED', `tokenizer ${source.path}: byte-level pre-tokenizer '${source.pre}', wafer knows only ${LLAMA3_PRE.join(', ')}`);
  }
  for (const [name, id] of [['bos', source.bosId], ['eos', source.eosId]] as const) {
    if (!Number.isInteger(id) || id < 0 || id >= source.tokens.length) {
      throw new WaferError('BAD_HEADER', `tokenizer ${source.path}: ${name} id ${id} is outside the vocabulary of ${source.tokens.length}`);
    }
  }
  const types = source.tokenTypes;
  const addedTokens = source.tokens.flatMap((content, id) => {
    const type = types?.[id];
    if (type !== GGUF_TOKEN_TYPE.control && type !== GGUF_TOKEN_TYPE.userDefined) return [];
    return [{ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: type === GGUF_TOKEN_TYPE.control }];
  });
  const json = {
    version: '1.0',
    added_tokens: addedTokens,
    normalizer: null,
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: LLAMA3_SPLIT_REGEX }, behavior: 'Isolated', invert: false },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: true,
      vocab: Object.fromEntries(source.tokens.map((t, id) => [t, id])),
      merges: source.merges,
    },
  };
  const config = { bos_token: source.tokens[source.bosId], eos_token: source.tokens[source.eosId] };
  return new HfJsonTokenizer(json, { source: source.path, config });
}

/** The tokenizer a GGUF file embeds, by its `tokenizer.ggml.model`. */
export function tokenizerFromGguf(source: GgufTokenizerSource): Tokenizer {
  if (source.model === 'llama') return sentencePieceFromGguf(source);
  if (source.model === 'gpt2') return byteLevelFromGguf(source);
  throw new WaferError('UNSUPPORTED', `tokenizer ${source.path}: tokenizer.ggml.model '${source.model}', wafer reads llama and gpt2`);
}
