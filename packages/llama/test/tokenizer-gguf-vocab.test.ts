// The vocabulary embedded in stories260K.gguf (tokenizer.ggml.*, '▁' for spaces, `<0xXX>` byte tokens, token
// types) encodes and decodes exactly like tok512.bin, i.e. like run.c's golden ids.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import type { TokenizerSource } from '../src/model/types.js';
import { tokenizerFromGguf } from '../src/tokenizer/gguf-tokenizer.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const golden = JSON.parse(readFileSync(`${root}test/golden/tokenizer-encode.json`, 'utf8'));
const ggufPath = `${root}models/stories260K/stories260K.gguf`;

/** Just enough of GGUF v3 to read the metadata key/values (the tensor section is not needed here). */
function readGgufMetadata(path: string): Map<string, unknown> {
  const buf = readFileSync(path);
  let at = 0;
  const u32 = (): number => ((at += 4), buf.readUInt32LE(at - 4));
  const u64 = (): number => ((at += 8), Number(buf.readBigUInt64LE(at - 8)));
  const str = (): string => {
    const n = u64();
    return ((at += n), buf.toString('utf8', at - n, at));
  };
  const scalar: Record<number, () => unknown> = {
    0: () => buf.readUInt8(at++), 1: () => buf.readInt8(at++),
    2: () => ((at += 2), buf.readUInt16LE(at - 2)), 3: () => ((at += 2), buf.readInt16LE(at - 2)),
    4: u32, 5: () => ((at += 4), buf.readInt32LE(at - 4)), 6: () => ((at += 4), buf.readFloatLE(at - 4)),
    7: () => buf.readUInt8(at++) !== 0, 8: str, 10: u64, 11: () => ((at += 8), Number(buf.readBigInt64LE(at - 8))),
    12: () => ((at += 8), buf.readDoubleLE(at - 8)),
  };
  const value = (type: number): unknown => {
    if (type !== 9) return scalar[type]();
    const itemType = u32();
    return Array.from({ length: u64() }, () => value(itemType));
  };
  expect(buf.toString('latin1', 0, 4)).toBe('GGUF');
  at = 8; // magic, version
  u64(); // tensor count
  const kvCount = u64();
  const kv = new Map<string, unknown>();
  for (let i = 0; i < kvCount; i++) {
    const key = str();
    kv.set(key, value(u32()));
  }
  return kv;
}

const kv = readGgufMetadata(ggufPath);
const source: TokenizerSource = {
  kind: 'gguf',
  tokens: kv.get('tokenizer.ggml.tokens') as string[],
  scores: Float32Array.from(kv.get('tokenizer.ggml.scores') as number[]),
  tokenTypes: Int32Array.from(kv.get('tokenizer.ggml.token_type') as number[]),
  bosId: kv.get('tokenizer.ggml.bos_token_id') as number,
  eosId: kv.get('tokenizer.ggml.eos_token_id') as number,
  model: kv.get('tokenizer.ggml.model') as string,
  path: ggufPath,
};
const tok = tokenizerFromGguf(source);
const cases: { text: string; ids: number[] }[] = golden.tokenizers['tok512.bin'].cases;

describe('GGUF-embedded stories260K vocabulary', () => {
  test('is the SentencePiece vocabulary of tok512.bin, stored with ▁ and <s>', () => {
    expect(source.model).toBe('llama');
    expect(tok.kind).toBe('sentencepiece-bpe');
    expect([tok.vocabSize, tok.bosId, tok.eosId]).toEqual([512, 1, 2]);
    expect(source.tokens[1]).toBe('<s>');
    expect(source.tokens.some((t) => t.startsWith('▁'))).toBe(true);
  });

  test.each(cases.map((c) => [JSON.stringify(c.text), c]))('encodes %s like run.c with tok512.bin', (_, c) => {
    expect(tok.encode(c.text, { bos: true })).toEqual(c.ids);
  });

  test.each(cases.map((c) => [JSON.stringify(c.text), c]))('decodes %s back to the text', (_, c) => {
    expect(tok.decode(c.ids)).toBe(c.text);
  });
});
