// decode(encode(text)) gives the text back for every golden string, with run.c's rule that the space after BOS
// is dropped and that BOS/EOS print nothing.

import { describe, expect, test } from 'vitest';
import { golden, files } from './golden-vocabularies.js';
import { readLlama2cTokenizer } from '../src/tokenizer/llama2c-file.js';


for (const [name, path] of Object.entries(files)) {
  describe(`decode round trip with ${name}`, () => {
    const tok = readLlama2cTokenizer(path, golden.tokenizers[name].vocab_size);
    const texts: string[] = golden.tokenizers[name].cases.map((c: { text: string }) => c.text);

    test.each(texts.map((t) => [JSON.stringify(t), t]))('%s', (_, text) => {
      const ids = tok.encode(text, { bos: true, eos: true });
      expect(tok.decode(ids)).toBe(text);
      expect(tok.decode(ids.slice(1), tok.bosId)).toBe(text);
    });

    test('the leading space is kept when the previous token is not BOS', () => {
      const [once] = tok.encode('Once'); // the piece " Once" (or " " then "Once")
      expect(tok.decode([once], tok.bosId).startsWith(' ')).toBe(false);
      expect(tok.decode(tok.encode('Once'), tok.eosId)).toBe(' Once');
    });

    test('BOS and EOS pieces ("\\n<s>\\n", "\\n</s>\\n") print nothing', () => {
      expect(tok.piece(tok.bosId)).toBe('\n<s>\n');
      expect(tok.piece(tok.eosId)).toBe('\n</s>\n');
      expect(tok.decode([tok.bosId, tok.eosId, tok.bosId])).toBe('');
    });
  });
}
