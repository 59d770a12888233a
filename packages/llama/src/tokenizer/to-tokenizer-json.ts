// Writes a Llama-2-style Hugging Face tokenizer.json for a SentencePiece vocabulary, with merges derived the way
// transformers' SentencePiece converter (`generate_merges`) derives them. Used to build HF test fixtures.

import type { SentencePieceBpe } from './sentencepiece-bpe.js';

const SPIECE_UNDERLINE = '▁';

interface MergeCandidate {
  left: string;
  right: string;
  score: number; // the merged piece's score
}

/** Codepoint length, as Python's len(str) in the converter. */
function codepoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** The HF name of a piece: llama2.c spaces back to '▁', control pieces without llama2.c's "\n<s>\n" padding. */
function hfPiece(tok: SentencePieceBpe, id: number): string {
  const piece = tok.piece(id);
  return tok.isControl(id) ? piece.trim() : piece.replaceAll(' ', SPIECE_UNDERLINE);
}

/**
 * transformers' generate_merges(vocab, vocab_scores): for each piece (in id order), every split into two
 * pieces that are both in the vocab, sorted by (left id, right id); then all of them stably sorted by
 * (merged score, left length, right length), descending.
 */
export function sentencePieceMerges(pieces: readonly string[], scores: ArrayLike<number>): [string, string][] {
  const idOf = new Map<string, number>();
  pieces.forEach((p, id) => {
    if (!idOf.has(p)) idOf.set(p, id);
  });
  const merges: MergeCandidate[] = [];
  pieces.forEach((piece, id) => {
    const chars = Array.from(piece);
    const local: MergeCandidate[] = [];
    for (let i = 1; i < chars.length; i++) {
      const left = chars.slice(0, i).join('');
      const right = chars.slice(i).join('');
      if (idOf.has(left) && idOf.has(right)) local.push({ left, right, score: scores[id] });
    }
    local.sort((a, b) => (idOf.get(a.left)! - idOf.get(b.left)!) || (idOf.get(a.right)! - idOf.get(b.right)!));
    merges.push(...local);
  });
  // Array.prototype.sort is stable, like Python's sorted(..., reverse=True)
  merges.sort((a, b) => b.score - a.score || codepoints(b.left) - codepoints(a.left) || codepoints(b.right) - codepoints(a.right));
  return merges.map((m) => [m.left, m.right]);
}

/**
 * A Llama-2-style tokenizer.json (BPE with byte_fallback, normalizer Prepend '▁' + Replace ' '→'▁',
 * decoder Replace/ByteFallback/Fuse/Strip, BOS added by the post-processor) for a llama2.c vocabulary.
 */
export function sentencePieceToTokenizerJson(tok: SentencePieceBpe): string {
  const pieces = Array.from({ length: tok.vocabSize }, (_, id) => hfPiece(tok, id));
  const scores = Array.from({ length: tok.vocabSize }, (_, id) => tok.score(id));
  const unkId = pieces.indexOf('<unk>');
  const specialIds = [...new Set([unkId, tok.bosId, tok.eosId].filter((id) => id >= 0))].sort((a, b) => a - b);
  const bos = pieces[tok.bosId];
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specialIds.map((id) => ({
      id,
      content: pieces[id],
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: SPIECE_UNDERLINE },
        { type: 'Replace', pattern: { String: ' ' }, content: SPIECE_UNDERLINE },
      ],
    },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: bos, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: bos, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: bos, type_id: 1 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { [bos]: { id: bos, ids: [tok.bosId], tokens: [bos] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: SPIECE_UNDERLINE }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: unkId >= 0 ? '<unk>' : null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      ignore_merges: false,
      // fromEntries defines own properties, so a piece named "__proto__" stays a key
      vocab: Object.fromEntries(pieces.map((p, id) => [p, id])),
      merges: sentencePieceMerges(pieces, scores),
    },
  };
  return JSON.stringify(json, null, 2) + '\n';
}
