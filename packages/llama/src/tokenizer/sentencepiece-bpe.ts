// The SentencePiece-style BPE of llama2.c (run.c's encode/decode) over a llama2.c or GGUF 'llama' vocabulary:
// codepoints looked up as pieces, byte fallback, greedy highest-score merges, BOS-aware decoding.

import { WaferError } from '@wafer/arch';
import type { StreamDecoder, Tokenizer, TokenizerKind } from './types.js';
import { mergeByScore } from './merge-by-score.js';
import { ByteStreamDecoder, byteOfPiece, bytePieceName, decodeAll } from './utf8-stream.js';

/** GGUF `tokenizer.ggml.token_type` values (llama.cpp's llama_token_type). */
export const GGUF_TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const;

/** A SentencePiece vocabulary as llama2.c stores it: spaces are plain spaces (GGUF's '▁' already replaced). */
export interface SentencePieceVocab {
  /** Each id's piece: raw bytes (llama2.c files) or a string (UTF-8 encoded here). */
  pieces: readonly (Uint8Array | string)[];
  /** Each id's merge score (float32; higher merges first). Same length as pieces. */
  scores: ArrayLike<number>;
  /** GGUF token types; CONTROL (3) pieces print as ''. Without them only BOS and EOS are control tokens. */
  tokenTypes?: ArrayLike<number>;
  bosId: number;
  eosId: number;
  /** How a byte without a piece is encoded: 'offset3' is llama2.c's id = byte + 3; 'named' uses the `<0xXX>` pieces. */
  byteFallback: 'offset3' | 'named';
  /** The file the vocabulary came from, named in error messages. */
  source: string;
}

/** Bytes → a string with one char per byte, so piece concatenation is byte concatenation (run.c compares bytes). */
function bytesKey(bytes: Uint8Array): string {
  let key = '';
  for (let i = 0; i < bytes.length; i++) key += String.fromCharCode(bytes[i]);
  return key;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });
const EMPTY = new Uint8Array(0);
const SPACE = 0x20;

/** llama2.c's tokenizer: `encode` and `decode` reproduce run.c (see the file header). */
export class SentencePieceBpe implements Tokenizer {
  readonly kind: TokenizerKind = 'sentencepiece-bpe';
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly source: string;
  private readonly pieceBytes: Uint8Array[];
  private readonly scores: Float32Array;
  private readonly controlFlags: Uint8Array; // 1 → prints as ''
  private readonly byteValue: Int16Array; // the raw byte a `<0xXX>` piece prints as, else -1
  private readonly idOfKey = new Map<string, number>();
  private readonly keys: string[];
  private readonly byteFallback: 'offset3' | 'named';

  constructor(vocab: SentencePieceVocab) {
    const n = vocab.pieces.length;
    const where = `tokenizer ${vocab.source}`;
    if (vocab.scores.length !== n) {
      throw new WaferError('BAD_HEADER', `${where}: ${n} pieces but ${vocab.scores.length} scores`);
    }
    if (vocab.tokenTypes !== undefined && vocab.tokenTypes.length !== n) {
      throw new WaferError('BAD_HEADER', `${where}: ${n} pieces but ${vocab.tokenTypes.length} token types`);
    }
    for (const [name, id] of [['bos', vocab.bosId], ['eos', vocab.eosId]] as const) {
      if (!Number.isInteger(id) || id < 0 || id >= n) {
        throw new WaferError('BAD_HEADER', `${where}: ${name} id ${id} is outside the vocabulary of ${n}`);
      }
    }
    this.vocabSize = n;
    this.bosId = vocab.bosId;
    this.eosId = vocab.eosId;
    this.source = vocab.source;
    this.byteFallback = vocab.byteFallback;
    this.scores = Float32Array.from(vocab.scores);
    this.pieceBytes = vocab.pieces.map((p) => (typeof p === 'string' ? utf8Encoder.encode(p) : p));
    this.keys = this.pieceBytes.map(bytesKey);
    this.controlFlags = new Uint8Array(n);
    this.byteValue = new Int16Array(n);
    for (let id = 0; id < n; id++) {
      // run.c's sorted-vocab bsearch has no defined winner among duplicates; keep the lowest id
      if (!this.idOfKey.has(this.keys[id])) this.idOfKey.set(this.keys[id], id);
      this.controlFlags[id] = vocab.tokenTypes?.[id] === GGUF_TOKEN_TYPE.control ? 1 : 0;
      this.byteValue[id] = byteOfPiece(this.keys[id]);
    }
    this.controlFlags[this.bosId] = 1;
    this.controlFlags[this.eosId] = 1;
  }

  /** run.c encode(text, bos, eos). */
  encode(text: string, options: { bos?: boolean; eos?: boolean } = {}): number[] {
    const ids: number[] = [];
    if (text.length > 0) ids.push(this.requireId(' ', 'the dummy-prefix space piece'));
    const bytes = utf8Encoder.encode(text);
    // run.c walks the bytes: a codepoint is a lead byte plus at most 3 continuation bytes (10xxxxxx)
    let start = 0;
    while (start < bytes.length) {
      let end = start + 1;
      while (end < bytes.length && (bytes[end] & 0xc0) === 0x80 && end - start < 4) end++;
      const id = this.idOfKey.get(bytesKey(bytes.subarray(start, end)));
      if (id !== undefined) ids.push(id);
      else for (let i = start; i < end; i++) ids.push(this.byteId(bytes[i]));
      start = end;
    }
    const merged = mergeByScore(ids, (a, b) => {
      const id = this.idOfKey.get(this.keys[a] + this.keys[b]);
      return id === undefined ? undefined : { id, score: this.scores[id] };
    });
    if (options.bos) merged.unshift(this.bosId);
    if (options.eos) merged.push(this.eosId);
    return merged;
  }

  decode(ids: number[], prevId: number = this.bosId): string {
    return decodeAll(this.bytesOf, ids, prevId);
  }

  streamDecoder(prevId: number = this.bosId): StreamDecoder {
    return new ByteStreamDecoder(this.bytesOf, prevId);
  }

  /** The piece in llama2.c form (spaces, not GGUF's '▁'; llama2.c's BOS is "\n<s>\n"), UTF-8 decoded. */
  piece(id: number): string {
    this.checkId(id);
    return utf8Decoder.decode(this.pieceBytes[id]);
  }

  /** The merge score of an id (for writers such as sentencePieceToTokenizerJson). */
  score(id: number): number {
    this.checkId(id);
    return this.scores[id];
  }

  /** true for BOS, EOS and GGUF CONTROL tokens, which print as ''. */
  isControl(id: number): boolean {
    this.checkId(id);
    return this.controlFlags[id] === 1;
  }

  /** run.c decode(): control pieces print nothing, a space after BOS is dropped, `<0xXX>` is the raw byte. */
  private readonly bytesOf = (id: number, prevId: number): Uint8Array => {
    this.checkId(id);
    if (this.controlFlags[id]) return EMPTY;
    const byte = this.byteValue[id];
    if (byte >= 0) return Uint8Array.of(byte);
    const bytes = this.pieceBytes[id];
    return prevId === this.bosId && bytes[0] === SPACE ? bytes.subarray(1) : bytes;
  };

  private byteId(byte: number): number {
    if (this.byteFallback === 'offset3') {
      const id = byte + 3;
      if (id >= this.vocabSize) {
        throw new WaferError('UNSUPPORTED', `tokenizer ${this.source}: byte ${byte} has no byte token (id ${id} ≥ vocab ${this.vocabSize})`);
      }
      return id;
    }
    return this.requireId(bytePieceName(byte), 'a byte-fallback piece');
  }

  private requireId(piece: string, what: string): number {
    const id = this.idOfKey.get(bytesKey(utf8Encoder.encode(piece)));
    if (id === undefined) {
      throw new WaferError('UNSUPPORTED', `tokenizer ${this.source}: no ${JSON.stringify(piece)} piece (${what}) in the vocabulary`);
    }
    return id;
  }

  private checkId(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
      throw new WaferError('USAGE', `tokenizer ${this.source}: token id ${id} is outside the vocabulary of ${this.vocabSize}`);
    }
  }
}
