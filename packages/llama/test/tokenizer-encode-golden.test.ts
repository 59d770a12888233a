// llama2.c encode(text, bos=1, eos=0) golden ids (from run.c itself) for tok512.bin and the Llama 2 tokenizer.bin.

import { describe, expect, test } from 'vitest';
import { golden, files } from './golden-vocabularies.js';
import { readLlama2cTokenizer } from '../src/tokenizer/llama2c-file.js';


for (const [name, path] of Object.entries(files)) {
  describe(`run.c encode with ${name}`, () => {
    const table = golden.tokenizers[name];
    const tok = readLlama2cTokenizer(path, table.vocab_size);
    const cases: { text: string; ids: number[] }[] = table.cases;

    test.each(cases.map((c) => [JSON.stringify(c.text), c]))('%s', (_, c) => {
      expect(tok.encode(c.text, { bos: true })).toEqual(c.ids);
    });

    test('BOS only when asked, EOS last when asked', () => {
      const body = tok.encode('Once upon a time');
      expect(body[0]).not.toBe(tok.bosId);
      expect(tok.encode('Once upon a time', { bos: true, eos: true })).toEqual([1, ...body, 2]);
      expect(tok.encode('')).toEqual([]);
    });
  });
}
