// The tokenizer public API: llama2.c / GGUF SentencePiece BPE, Hugging Face tokenizer.json, loading, and the
// tokenizer.json writer used to build test fixtures.

export type { StreamDecoder, Tokenizer, TokenizerKind } from './types.js';
export { SentencePieceBpe, GGUF_TOKEN_TYPE, type SentencePieceVocab } from './sentencepiece-bpe.js';
export { readLlama2cTokenizer, parseLlama2cTokenizer } from './llama2c-file.js';
export { HfJsonTokenizer, readHfTokenizerJson, parseHfTokenizerJson } from './hf-json.js';
export type { HfTokenizerConfig, HfTokenizerJson } from './hf-json-spec.js';
export { tokenizerFromGguf, sentencePieceFromGguf, byteLevelFromGguf } from './gguf-tokenizer.js';
export { loadTokenizer, tokenizerFromSource } from './load.js';
export { sentencePieceToTokenizerJson, sentencePieceMerges } from './to-tokenizer-json.js';
export { ggufTokenizerData, ggufVocabularyOf } from './gguf-tokenizer-data.js';
export { BYTE_TO_CHAR, LLAMA3_SPLIT_REGEX, byteLevelBytes, byteLevelString } from './byte-level.js';
