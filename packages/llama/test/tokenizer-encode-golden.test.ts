// llama2.c encode(text, bos=1, eos=0) golden ids (from run.c itself) for tok512.bin and the Llama 2 tokenizer.bin.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { readLlama2cTokenizer } from '../src/tokenizer/llama2c-file.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const golden = JSON.parse(readFileSync(`${root}test/golden/tokenizer-encode.json`, 'utf8'));
const files: Record<string, string> = {
  'tok512.bin': `${root}models/stories260K/tok512.bin`,
  'tokenizer.bin': `${root}models/llama2/tokenizer.bin`,
};

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
