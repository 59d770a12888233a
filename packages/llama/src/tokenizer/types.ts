// The tokenizer contract shared by the llama2.c/GGUF SentencePiece-style BPE and Hugging Face tokenizer.json.

export type TokenizerKind = 'sentencepiece-bpe' | 'hf-bpe' | 'hf-byte-level-bpe';

/** Turns generated ids into text as they arrive, never emitting a broken UTF-8 character. */
export interface StreamDecoder {
  /** Feed the next generated id; returns the text that is now complete (possibly ''). */
  push(id: number): string;
  /** Whatever is still buffered (invalid or incomplete bytes become U+FFFD). */
  flush(): string;
}

export interface Tokenizer {
  readonly kind: TokenizerKind;
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  /** Encode text. With bos, the BOS id comes first (llama2.c: encode(text, bos=1, eos=0)). */
  encode(text: string, options?: { bos?: boolean; eos?: boolean }): number[];
  /** Decode a whole id sequence as the stream decoder would print it, starting after `prevId` (default BOS). */
  decode(ids: number[], prevId?: number): string;
  /** A streaming decoder; `prevId` is the token before the first one pushed (default BOS). */
  streamDecoder(prevId?: number): StreamDecoder;
  /** The vocabulary entry of an id, as stored (for inspect and debugging). */
  piece(id: number): string;
}
