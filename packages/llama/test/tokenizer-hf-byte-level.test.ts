// A hand-built Llama-3-style byte-level BPE (Split regex + ByteLevel pre-tokenizer, ranked merges, ignore_merges,
// special added tokens), as a tokenizer.json and as GGUF 'gpt2' metadata, encodes to hand-computed ids and
// decodes back; byte tokens of a 4-byte character stream without ever printing half of it.

import { describe, expect, test } from 'vitest';
import type { TokenizerSource } from '../src/model/types.js';
import { BYTE_TO_CHAR, LLAMA3_SPLIT_REGEX } from '../src/tokenizer/byte-level.js';
import { tokenizerFromGguf } from '../src/tokenizer/gguf-tokenizer.js';
import { HfJsonTokenizer } from '../src/tokenizer/hf-json.js';

// ids 0..255: the byte b is id b, written as GPT-2's byte character; then merges ranked in list order
const MERGES = [
  ['h', 'e'], ['l', 'l'], ['he', 'll'], ['hell', 'o'], ['Ġ', 'w'], ['o', 'r'], ['Ġw', 'or'], ['l', 'd'],
  ['Ġwor', 'ld'], ['Ã', '©'], ['1', '2'], ['3', '4'], ["'", 't'],
]; // merged pieces are ids 256..268
const SPECIALS = ['<|begin_of_text|>', '<|end_of_text|>', '<|eot_id|>']; // ids 270..272
const pieces = [...BYTE_TO_CHAR, ...MERGES.map(([l, r]) => l + r), 'Ġllama', ...SPECIALS]; // 'Ġllama' = 269, no merge makes it

function tokenizerJson(): object {
  return {
    version: '1.0',
    added_tokens: SPECIALS.map((content, i) => ({ id: 270 + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: LLAMA3_SPLIT_REGEX }, behavior: 'Isolated', invert: false },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: {
      type: 'Sequence',
      processors: [
        { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
        {
          type: 'TemplateProcessing',
          single: [{ SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
          pair: [],
          special_tokens: { '<|begin_of_text|>': { id: '<|begin_of_text|>', ids: [270], tokens: ['<|begin_of_text|>'] } },
        },
      ],
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: true,
      vocab: Object.fromEntries(pieces.slice(0, 270).map((p, id) => [p, id])),
      merges: MERGES,
    },
  };
}

const TEXT = "hello shell world café 12345 don't 🦙 llama<|end_of_text|>";
// Split regex pieces → byte-level strings → BPE (lowest rank first) → ids:
//   "hello" in vocab (ignore_merges) → 259 | "Ġshell": he, ll, he+ll → Ġ s hell → 32 115 258
//   "Ġworld" in vocab → 264 | "ĠcafÃ©": Ã+© → 32 99 97 102 265 | "Ġ" → 32
//   "123" → 12 3 → 266 51 | "45" → 52 53 (the merge 3+4 never applies: \p{N}{1,3} split "123|45")
//   "Ġdon" → 32 100 111 110 | "'t" in vocab → 268 | "ĠðŁ¦Ļ" (🦙 = F0 9F A6 99) → 32 240 159 166 153
//   "Ġllama" in vocab → 269, although no merge builds it | "<|end_of_text|>" special → 271
const EXPECTED = [259, 32, 115, 258, 264, 32, 99, 97, 102, 265, 32, 266, 51, 52, 53, 32, 100, 111, 110, 268, 32, 240, 159, 166, 153, 269, 271];

test("GPT-2's byte map (the fixture's premise)", () => {
  expect([0x20, 0x0a, 0x9f, 0x99, 0xc3, 0xa9, 0x41].map((b) => BYTE_TO_CHAR[b])).toEqual(['Ġ', 'Ċ', 'Ł', 'Ļ', 'Ã', '©', 'A']);
});

const gguf: TokenizerSource = {
  kind: 'gguf',
  tokens: pieces,
  scores: new Float32Array(pieces.length),
  tokenTypes: Int32Array.from(pieces, (_, id) => (id >= 270 ? 3 : 1)),
  bosId: 270,
  eosId: 271,
  model: 'gpt2',
  merges: MERGES.map(([l, r]) => `${l} ${r}`),
  pre: 'llama-bpe',
  path: 'fixture.gguf',
};

describe.each([
  ['tokenizer.json', () => new HfJsonTokenizer(tokenizerJson(), { source: 'fixture/tokenizer.json' })],
  ['GGUF gpt2 metadata', () => tokenizerFromGguf(gguf)],
])('Llama-3-style byte-level BPE from %s', (_, make) => {
  const tok = make();

  test('kind, size and special ids', () => {
    expect([tok.kind, tok.vocabSize, tok.bosId, tok.eosId]).toEqual(['hf-byte-level-bpe', 273, 270, 271]);
  });

  test('encodes to the hand-computed ids, BOS/EOS only when asked', () => {
    expect(tok.encode(TEXT)).toEqual(EXPECTED);
    expect(tok.encode(TEXT, { bos: true, eos: true })).toEqual([270, ...EXPECTED, 271]);
    expect(tok.encode('')).toEqual([]);
  });

  test('decodes back to the text, special tokens printing nothing', () => {
    expect(tok.decode([270, ...EXPECTED])).toBe(TEXT.replace('<|end_of_text|>', ''));
    expect(tok.piece(264)).toBe('Ġworld');
  });

  test('the byte tokens of 🦙 print nothing until the character is complete', () => {
    const stream = tok.streamDecoder();
    expect([32, 240, 159, 166, 153].map((id) => stream.push(id))).toEqual([' ', '', '', '', '🦙']);
    expect(stream.flush()).toBe('');
  });
});

test('tokenizer_config.json eos_token overrides the known-name default', () => {
  const tok = new HfJsonTokenizer(tokenizerJson(), { source: 'fixture/tokenizer.json', config: { eos_token: '<|eot_id|>' } });
  expect(tok.eosId).toBe(272);
});
