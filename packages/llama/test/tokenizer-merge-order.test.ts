// SentencePieceBpe merges like run.c: the adjacent pair whose merged piece has the highest score goes first,
// equal scores go to the leftmost pair, and merged pieces keep merging. Tiny hand-made vocabularies.

import { describe, expect, test } from 'vitest';
import { SentencePieceBpe } from '../src/tokenizer/sentencepiece-bpe.js';

function vocab(extra: [string, number][]): SentencePieceBpe {
  const base: [string, number][] = [['<unk>', 0], ['<s>', 0], ['</s>', 0], [' ', -10], ['a', -10], ['b', -10], [' a', -5]];
  const all = [...base, ...extra];
  return new SentencePieceBpe({
    pieces: all.map(([p]) => p),
    scores: all.map(([, s]) => s),
    bosId: 1,
    eosId: 2,
    byteFallback: 'named',
    source: 'hand-made',
  });
}

describe('merge order on "aba" (tokens " ", a, b, a)', () => {
  test('equal scores: the leftmost pair (ab) merges first', () => {
    const tok = vocab([['ab', -1], ['ba', -1]]); // ab = 7, ba = 8
    expect(tok.encode('aba')).toEqual([3, 7, 4]); // " " ab a; merging ba first would give " a"(6) ba(8)
  });

  test('a higher score wins even to the right', () => {
    const tok = vocab([['ab', -1], ['ba', -0.5]]);
    expect(tok.encode('aba')).toEqual([6, 8]); // ba, then " a"
  });

  test('merged pieces merge again', () => {
    const tok = vocab([['ab', -1], ['ba', -1], ['aba', -2], [' aba', -3]]);
    expect(tok.encode('aba')).toEqual([10]); // ab, then aba, then " aba"
  });

  test('an unknown character whose byte has no <0xXX> piece is UNSUPPORTED, naming the piece', () => {
    expect(() => vocab([]).encode('é')).toThrow(expect.objectContaining({ code: 'UNSUPPORTED', message: expect.stringContaining('<0xC3>') }));
  });
});
