// The stream decoder never prints part of a character: byte tokens of an emoji or a CJK character, pushed one
// at a time, print '' until the last byte arrives, then the whole character; flush() turns leftovers into U+FFFD.

import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { readLlama2cTokenizer } from '../src/tokenizer/llama2c-file.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const tok = readLlama2cTokenizer(`${root}models/stories260K/tok512.bin`, 512);
const byteToken = (b: number): number => b + 3; // llama2.c: <0x00> is id 3

describe('stream decoder over byte tokens', () => {
  test.each([
    ['llama emoji U+1F999', '🦙'],
    ['CJK 日', '日'],
    ['CJK 語', '語'],
    ['2-byte é', 'é'],
  ])('%s', (_, char) => {
    const bytes = [...new TextEncoder().encode(char)];
    const ids = bytes.map(byteToken);
    expect(ids.every((id) => tok.piece(id).startsWith('<0x'))).toBe(true);
    const stream = tok.streamDecoder();
    const outputs = ids.map((id) => stream.push(id));
    expect(outputs).toEqual([...bytes.slice(1).map(() => ''), char]);
    expect(stream.flush()).toBe('');
  });

  test('the encoder really produces these byte tokens for the emoji (golden ids)', () => {
    expect(tok.encode('🦙 llama').slice(1, 5)).toEqual([243, 162, 169, 156]);
  });

  test('text pieces between byte tokens keep their order', () => {
    const stream = tok.streamDecoder(tok.eosId);
    const ids = [...new TextEncoder().encode('日')].map(byteToken);
    const [a] = tok.encode('a'); // the piece " a"
    const [b] = tok.encode('b'); // " b"
    const out = [stream.push(a), ...ids.map((id) => stream.push(id)), stream.push(b)];
    expect(out.join('')).toBe(' a日 b');
    expect(out.slice(1, 3)).toEqual(['', '']);
  });

  test('flush emits an incomplete character as U+FFFD', () => {
    const stream = tok.streamDecoder();
    const [b0, b1] = new TextEncoder().encode('🦙');
    expect(stream.push(byteToken(b0))).toBe('');
    expect(stream.push(byteToken(b1))).toBe('');
    expect(stream.flush()).toBe('\uFFFD');
  });

  test('a stray continuation byte becomes U+FFFD right away instead of blocking the stream', () => {
    const stream = tok.streamDecoder();
    expect(stream.push(byteToken(0x80))).toBe('\uFFFD');
    expect(stream.push(byteToken(0x41))).toBe('A');
  });
});
