// readLlama2cTokenizer bounds-checks the llama2.c tokenizer format (int32 max_token_length, then per token
// float32 score, int32 length, bytes) and reports a truncated or absurd file by name instead of misreading it.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { readLlama2cTokenizer } from '../src/tokenizer/llama2c-file.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const original = readFileSync(`${root}models/stories260K/tok512.bin`);
const dir = mkdtempSync(join(tmpdir(), 'wafer-tok512-'));

function variant(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('readLlama2cTokenizer', () => {
  test('reads tok512.bin: 512 pieces, llama2.c BOS/EOS, byte tokens at byte + 3', () => {
    const tok = readLlama2cTokenizer(`${root}models/stories260K/tok512.bin`, 512);
    expect([tok.vocabSize, tok.bosId, tok.eosId]).toEqual([512, 1, 2]);
    expect([tok.piece(0), tok.piece(3), tok.piece(3 + 0x41), tok.piece(259)]).toEqual(['<unk>', '<0x00>', '<0x41>', ' t']);
    expect(tok.score(260)).toBe(-1);
  });

  test('a file cut inside a token is FILE_TRUNCATED naming the file', () => {
    const path = variant('cut.bin', original.subarray(0, original.length - 3));
    expect(() => readLlama2cTokenizer(path, 512)).toThrow(expect.objectContaining({ code: 'FILE_TRUNCATED', message: expect.stringContaining(path) }));
  });

  test('a token longer than max_token_length is BAD_HEADER', () => {
    const bytes = Uint8Array.from(original);
    new DataView(bytes.buffer).setInt32(4 + 4, 1000, true); // token 0's length
    const path = variant('long.bin', bytes);
    expect(() => readLlama2cTokenizer(path, 512)).toThrow(expect.objectContaining({ code: 'BAD_HEADER', message: expect.stringContaining('token 0') }));
  });

  test('an empty file is FILE_TRUNCATED', () => {
    expect(() => readLlama2cTokenizer(variant('empty.bin', new Uint8Array(0)), 512)).toThrow(expect.objectContaining({ code: 'FILE_TRUNCATED' }));
  });

  test('a token count other than the model vocab size is TOKENIZER_MISMATCH with both sizes', () => {
    expect(() => readLlama2cTokenizer(`${root}models/stories260K/tok512.bin`, 32000)).toThrow(
      expect.objectContaining({ code: 'TOKENIZER_MISMATCH', message: expect.stringMatching(/tok512\.bin has 512 tokens .* 32000/) }),
    );
  });
});
