// A Hugging Face tokenizer.json tokenizer (Llama 2 BPE with byte fallback, Llama 3 byte-level BPE): encoding by
// @huggingface/tokenizers (Tokenizers.js), decoding token by token through our byte stream decoder.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Tokenizer as TokenizersJsClass } from '@huggingface/tokenizers';
import { WaferError } from '@wafer/arch';
import type { StreamDecoder, Tokenizer, TokenizerKind } from './types.js';
import { byteLevelBytes } from './byte-level.js';
import { decodeStyle, specialIds, type HfDecodeStyle, type HfTokenizerConfig, type HfTokenizerJson } from './hf-json-spec.js';
import { readTokenizerFile } from './llama2c-file.js';
import { ByteStreamDecoder, byteOfPiece, decodeAll } from './utf8-stream.js';

/**
 * The part of Tokenizers.js we use. Its published .d.ts files import './core/Tokenizer' without an extension,
 * which NodeNext cannot resolve, so the class types as `any`; this pins down the calls we make.
 */
interface TokenizersJs {
  encode(text: string, options: { add_special_tokens: boolean }): { ids: (number | undefined)[]; tokens: string[] };
  token_to_id(token: string): number | undefined;
  get_vocab(withAddedTokens: boolean): Map<string, number>;
}
const TokenizersJsCtor = TokenizersJsClass as new (json: object, config: object) => TokenizersJs;

const utf8Encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);
const SPACE = 0x20;

/** Shape checks done before handing the object to Tokenizers.js, so bad files fail with our message. */
function checkShape(json: unknown, source: string): asserts json is HfTokenizerJson {
  const model = (json as HfTokenizerJson | null)?.model;
  if (typeof json !== 'object' || json === null || typeof model !== 'object' || model === null) {
    throw new WaferError('BAD_HEADER', `tokenizer ${source}: no "model" object, not a tokenizer.json`);
  }
  if (model.type !== 'BPE') throw new WaferError('UNSUPPORTED', `tokenizer ${source}: model type ${String(model.type)}, wafer reads only BPE`);
  if (typeof model.vocab !== 'object' || model.vocab === null || !Array.isArray(model.merges)) {
    throw new WaferError('BAD_HEADER', `tokenizer ${source}: BPE model without a vocab object and a merges array`);
  }
  const added = (json as HfTokenizerJson).added_tokens;
  if (added != null && !Array.isArray(added)) throw new WaferError('BAD_HEADER', `tokenizer ${source}: added_tokens is not an array`);
  checkIds(json as HfTokenizerJson, source);
}

/**
 * Token ids are whole numbers and dense but for a few holes: below twice the number of tokens plus 1024. The
 * largest id sizes this tokenizer's tables (and Tokenizers.js's), so a corrupt one must fail here, not there.
 */
function checkIds(json: HfTokenizerJson, source: string): void {
  const vocab = Object.entries(json.model.vocab);
  const added = json.added_tokens ?? [];
  const limit = 2 * (vocab.length + added.length) + 1024;
  const bad = (what: string, id: unknown): never => {
    throw new WaferError('BAD_HEADER', `tokenizer ${source}: ${what} has id ${JSON.stringify(id)}, not a whole number below ${limit} (twice its ${vocab.length + added.length} tokens, plus 1024)`);
  };
  for (const [piece, id] of vocab) if (!Number.isSafeInteger(id) || id < 0 || id >= limit) bad(`vocab entry ${JSON.stringify(piece)}`, id);
  for (const [k, token] of added.entries()) {
    if (typeof token !== 'object' || token === null || typeof token.content !== 'string') {
      throw new WaferError('BAD_HEADER', `tokenizer ${source}: added_tokens[${k}] is not an object with a content string`);
    }
    if (!Number.isSafeInteger(token.id) || token.id < 0 || token.id >= limit) bad(`added token ${JSON.stringify(token.content)}`, token.id);
  }
}

/**
 * A tokenizer.json tokenizer implementing our Tokenizer contract. encode() never adds BOS/EOS by itself (the
 * file's post-processor is bypassed); decode() follows run.c's rules: special tokens print '', a leading space
 * right after BOS is dropped when the file's decoder strips one, `<0xXX>` pieces are raw bytes.
 */
export class HfJsonTokenizer implements Tokenizer {
  readonly kind: TokenizerKind;
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly source: string;
  private readonly hf: TokenizersJs;
  private readonly style: HfDecodeStyle;
  private readonly pieces: string[]; // [vocabSize], '' for a hole in the id range
  private readonly special: Uint8Array; // [vocabSize] 1 → prints as ''

  /** `json` is the parsed tokenizer.json; `config` the optional tokenizer_config.json beside it. */
  constructor(json: unknown, options: { source: string; config?: HfTokenizerConfig }) {
    const source = options.source;
    checkShape(json, source);
    this.source = source;
    this.style = decodeStyle(json, source);
    this.kind = this.style.byteLevel ? 'hf-byte-level-bpe' : 'hf-bpe';
    try {
      this.hf = new TokenizersJsCtor(json, options.config ?? {});
    } catch (err) {
      throw new WaferError('UNSUPPORTED', `tokenizer ${source}: Tokenizers.js cannot load it: ${(err as Error).message}`, { cause: err });
    }
    // piece → id, added tokens included; Tokenizers.js lists a hole in the id range under an undefined key
    const vocab = [...this.hf.get_vocab(true)].filter(([piece]) => typeof piece === 'string');
    this.vocabSize = vocab.reduce((max, [, id]) => Math.max(max, id), -1) + 1;
    this.pieces = new Array<string>(this.vocabSize).fill('');
    for (const [piece, id] of vocab) this.pieces[id] = piece;
    this.special = new Uint8Array(this.vocabSize);
    for (const token of json.added_tokens ?? []) if (token.special) this.special[token.id] = 1;
    const ids = specialIds(json, options.config ?? {}, (t) => this.hf.token_to_id(t), source);
    for (const [what, id] of [['BOS', ids.bosId], ['EOS', ids.eosId]] as const) {
      if (id >= this.vocabSize) throw new WaferError('BAD_HEADER', `tokenizer ${source}: the ${what} token's id ${id} is outside its vocabulary of ${this.vocabSize}`);
    }
    this.bosId = ids.bosId;
    this.eosId = ids.eosId;
  }

  encode(text: string, options: { bos?: boolean; eos?: boolean } = {}): number[] {
    let encoded: ReturnType<TokenizersJs['encode']>;
    try {
      encoded = this.hf.encode(text, { add_special_tokens: false });
    } catch (err) {
      // Tokenizers.js interprets the file's normalizer, pre-tokenizer and model only now: a broken one throws here.
      throw new WaferError('UNSUPPORTED', `tokenizer ${this.source}: Tokenizers.js cannot encode with it: ${(err as Error).message}`, { cause: err });
    }
    const ids = encoded.ids.map((id, i) => {
      if (id === undefined) throw new WaferError('UNSUPPORTED', `tokenizer ${this.source}: cannot encode ${JSON.stringify(encoded.tokens[i])} (no such piece and no unk token)`);
      return id;
    });
    if (options.bos) ids.unshift(this.bosId);
    if (options.eos) ids.push(this.eosId);
    return ids;
  }

  decode(ids: number[], prevId: number = this.bosId): string {
    return decodeAll(this.bytesOf, ids, prevId);
  }

  streamDecoder(prevId: number = this.bosId): StreamDecoder {
    return new ByteStreamDecoder(this.bytesOf, prevId);
  }

  piece(id: number): string {
    this.checkId(id);
    return this.pieces[id];
  }

  private readonly bytesOf = (id: number, prevId: number): Uint8Array => {
    this.checkId(id);
    if (this.special[id] || id === this.bosId || id === this.eosId) return EMPTY;
    const piece = this.pieces[id];
    if (this.style.byteLevel) return byteLevelBytes(piece) ?? utf8Encoder.encode(piece);
    const byte = this.style.byteFallback ? byteOfPiece(piece) : -1;
    if (byte >= 0) return Uint8Array.of(byte);
    const bytes = utf8Encoder.encode(piece.replaceAll('▁', ' '));
    return this.style.stripLeadingSpace && prevId === this.bosId && bytes[0] === SPACE ? bytes.subarray(1) : bytes;
  };

  private checkId(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
      throw new WaferError('USAGE', `tokenizer ${this.source}: token id ${id} is outside the vocabulary of ${this.vocabSize}`);
    }
  }
}

/** JSON from file bytes; invalid UTF-8 or JSON is BAD_HEADER naming the file. */
function parseJsonBytes(bytes: Uint8Array, path: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new WaferError('BAD_HEADER', `tokenizer ${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** Read a tokenizer.json, plus the tokenizer_config.json beside it when there is one (it names BOS/EOS). */
export function readHfTokenizerJson(path: string): HfJsonTokenizer {
  const configPath = join(dirname(path), 'tokenizer_config.json');
  const configBytes = existsSync(configPath) ? readTokenizerFile(configPath) : undefined;
  return parseHfTokenizerJson(readTokenizerFile(path), path, configBytes && { bytes: configBytes, path: configPath });
}

/**
 * The tokenizer.json in `bytes` (read from `path`), with the bytes of its tokenizer_config.json when there is
 * one. A pure function of its bytes; throws only WaferErrors.
 */
export function parseHfTokenizerJson(bytes: Uint8Array, path: string, config?: { bytes: Uint8Array; path: string }): HfJsonTokenizer {
  const json = parseJsonBytes(bytes, path);
  const configJson = config && parseJsonBytes(config.bytes, config.path);
  if (configJson !== undefined && (typeof configJson !== 'object' || configJson === null || Array.isArray(configJson))) {
    throw new WaferError('BAD_HEADER', `tokenizer ${config!.path} is not a JSON object`);
  }
  return new HfJsonTokenizer(json, { source: path, config: configJson as HfTokenizerConfig | undefined });
}
