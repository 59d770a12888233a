// A llama2.c SentencePiece vocabulary (tokenizer.bin, tok512.bin) as the `tokenizer.ggml.*` arrays that
// writeGguf embeds, named and typed the way llama.cpp's converter writes a SentencePiece 'llama' vocabulary;
// and the GGUF vocabulary of any loaded model that has one GGUF can hold.

import type { GgufTokenizerData } from '../checkpoint/gguf-write.js';
import type { ModelDescription } from '../model/types.js';
import { readLlama2cTokenizer } from './llama2c-file.js';
import { GGUF_TOKEN_TYPE, type SentencePieceBpe } from './sentencepiece-bpe.js';
import { byteOfPiece } from './utf8-stream.js';

const SPIECE_UNDERLINE = '▁';
/** SentencePiece's name of the unknown piece; llama2.c's export keeps it at id 0. */
const UNK_PIECE = '<unk>';

/**
 * The GGUF vocabulary of `tok`: spaces become '▁', BOS/EOS lose llama2.c's "\n<s>\n" padding, and each id
 * gets its llama.cpp token type: CONTROL (3) for BOS/EOS and GGUF control tokens, UNKNOWN (2) for `<unk>`,
 * BYTE (6) for the `<0xXX>` byte pieces, NORMAL (1) otherwise. Scores are copied. For tok512.bin this is
 * exactly the vocabulary llama.cpp embedded in stories260K.gguf. Pieces are taken as text (`tok.piece`):
 * llama2.c vocabularies are exported from SentencePiece strings, so their bytes are UTF-8.
 */
export function ggufTokenizerData(tok: SentencePieceBpe): GgufTokenizerData {
  const n = tok.vocabSize;
  const tokens: string[] = new Array(n);
  const scores = new Float32Array(n);
  const tokenTypes = new Int32Array(n);
  for (let id = 0; id < n; id++) {
    const piece = tok.piece(id);
    scores[id] = tok.score(id);
    if (tok.isControl(id)) {
      tokens[id] = piece.trim();
      tokenTypes[id] = GGUF_TOKEN_TYPE.control;
    } else {
      tokens[id] = piece.replaceAll(' ', SPIECE_UNDERLINE);
      tokenTypes[id] = piece === UNK_PIECE ? GGUF_TOKEN_TYPE.unknown : byteOfPiece(piece) >= 0 ? GGUF_TOKEN_TYPE.byte : GGUF_TOKEN_TYPE.normal;
    }
  }
  return { tokens, scores, tokenTypes, bos: tok.bosId, eos: tok.eosId };
}

/**
 * The vocabulary of a loaded model as GGUF arrays: a GGUF's own (tokens, scores, types, merges and pre-
 * tokenizer kept), or its llama2.c tokenizer file converted; undefined for tokenizer.json or no tokenizer.
 */
export function ggufVocabularyOf(model: ModelDescription): GgufTokenizerData | undefined {
  const source = model.tokenizer;
  if (source?.kind === 'gguf') {
    const tokenTypes = source.tokenTypes ?? new Int32Array(source.tokens.length).fill(GGUF_TOKEN_TYPE.normal);
    return { model: source.model, tokens: source.tokens, scores: source.scores, tokenTypes, merges: source.merges, pre: source.pre, bos: source.bosId, eos: source.eosId };
  }
  if (source?.kind === 'llama2c') return ggufTokenizerData(readLlama2cTokenizer(source.path, model.config.vocabSize));
  return undefined;
}
