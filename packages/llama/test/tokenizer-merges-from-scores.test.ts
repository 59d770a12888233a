// sentencePieceMerges derives BPE merges from a SentencePiece vocabulary the way transformers' converter
// (generate_merges) does: every split of a piece into two vocab pieces, ordered by (merged score, left length,
// right length) descending, stable, with a piece's own splits ordered by (left id, right id). Hand-computed.

import { expect, test } from 'vitest';
import { sentencePieceMerges } from '../src/tokenizer/to-tokenizer-json.js';

const pieces = ['<unk>', '<s>', '</s>', 'a', 'b', 'c', 'ab', 'bc', 'abc', 'ca', '🦙', 'x', '🦙x'];
const scores = [0, 0, 0, -10, -11, -12, -1, -2, -3, -1, -20, -21, -3];

test('merges are ordered by merged score, then longer left and right pieces, then vocab order', () => {
  expect(sentencePieceMerges(pieces, scores)).toEqual([
    ['a', 'b'], // 'ab' -1, before 'ca' -1 by vocab order
    ['c', 'a'],
    ['b', 'c'], // 'bc' -2
    ['ab', 'c'], // 'abc' -3: the longer left piece first, although a|bc comes first by id
    ['a', 'bc'],
    ['🦙', 'x'], // '🦙x' -3: lengths count codepoints (🦙 is 1, not 2 UTF-16 units), so it sorts after a|bc
  ]);
});

test('a piece with no split into two vocab pieces contributes no merge', () => {
  expect(sentencePieceMerges(['a', 'b', 'abc'], [0, 0, -1])).toEqual([]);
});
