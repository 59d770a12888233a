// A Llama-2-style tokenizer.json written from a llama2.c vocabulary (sentencePieceToTokenizerJson) and read back
// through Tokenizers.js encodes every golden string to run.c's ids, and decodes them back.
// Known, asserted differences (none occurs in the golden strings): HF splits special tokens such as "<s>" out of
// the text, and its normalizer turns every ' ' into '▁', so a literal '▁' in the text reads as a space; run.c
// encodes both as ordinary characters.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { golden, files } from './golden-vocabularies.js';
import { readHfTokenizerJson } from '../src/tokenizer/hf-json.js';
import { readLlama2cTokenizer } from '../src/tokenizer/llama2c-file.js';
import { sentencePieceToTokenizerJson } from '../src/tokenizer/to-tokenizer-json.js';


for (const [name, path] of Object.entries(files)) {
  describe(`tokenizer.json written from ${name}`, () => {
    const table = golden.tokenizers[name];
    const sp = readLlama2cTokenizer(path, table.vocab_size);
    const text = sentencePieceToTokenizerJson(sp);
    const jsonPath = join(mkdtempSync(join(tmpdir(), 'wafer-tok-')), 'tokenizer.json');
    writeFileSync(jsonPath, text);
    const hf = readHfTokenizerJson(jsonPath);
    const cases: { text: string; ids: number[] }[] = table.cases;

    test('is a Llama-2-style BPE with byte fallback, BOS/EOS from its special tokens', () => {
      const json = JSON.parse(text);
      expect(json.model.byte_fallback).toBe(true);
      expect(json.model.vocab['▁t']).toBe(sp.encode('t')[0]); // llama2.c's " t" is HF's "▁t"
      expect(json.normalizer.normalizers.map((n: { type: string }) => n.type)).toEqual(['Prepend', 'Replace']);
      expect(json.added_tokens.map((t: { content: string }) => t.content)).toEqual(['<unk>', '<s>', '</s>']);
      expect([hf.kind, hf.vocabSize, hf.bosId, hf.eosId]).toEqual(['hf-bpe', table.vocab_size, 1, 2]);
    });

    test.each(cases.map((c) => [JSON.stringify(c.text), c]))('encodes %s to run.c ids', (_, c) => {
      expect(hf.encode(c.text, { bos: true })).toEqual(c.ids);
    });

    test.each(cases.map((c) => [JSON.stringify(c.text), c]))('decodes %s back to the text', (_, c) => {
      expect(hf.decode(c.ids)).toBe(c.text);
    });

    test('adds BOS only when asked, and only once', () => {
      const body = hf.encode('Lily and Ben');
      expect(body).toEqual(sp.encode('Lily and Ben'));
      expect(hf.encode('Lily and Ben', { bos: true, eos: true })).toEqual([1, ...body, 2]);
    });

    test('differs from run.c on special-token text and on a literal ▁ (see the file header)', () => {
      expect(hf.encode('a</s>')).toContain(hf.eosId);
      expect(sp.encode('a</s>')).not.toContain(sp.eosId);
      expect(hf.encode('▁x')).toEqual(hf.encode(' x'));
      expect(sp.encode('▁x')).not.toEqual(sp.encode(' x'));
    });
  });
}
