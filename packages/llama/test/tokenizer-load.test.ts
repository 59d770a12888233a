// loadTokenizer picks the tokenizer (an explicit file by extension, else the model's own source), checks its
// vocabulary size against the model's, and names the file and both sizes when they disagree.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import type { ModelDescription, TokenizerSource } from '../src/model/types.js';
import { readLlama2cTokenizer } from '../src/tokenizer/llama2c-file.js';
import { loadTokenizer } from '../src/tokenizer/load.js';
import { sentencePieceToTokenizerJson } from '../src/tokenizer/to-tokenizer-json.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const tok512Path = `${root}models/stories260K/tok512.bin`;
const llama2Path = `${root}models/llama2/tokenizer.bin`;
const onceIds = [1, 403, 407, 261, 378]; // golden "Once upon a time" with tok512.bin

function model(vocabSize: number, tokenizer?: TokenizerSource): ModelDescription {
  return {
    format: 'llama2c',
    path: '/models/tiny.bin',
    config: { dim: 64, hiddenDim: 172, nLayers: 5, nHeads: 8, nKvHeads: 4, headDim: 8, vocabSize, seqLen: 512, normEps: 1e-5, ropeTheta: 10000, sharedClassifier: true },
    tensors: new Map(),
    tokenizer,
    bosId: 1,
    eosId: 2,
    stopOnBos: true,
  };
}

const tok512 = readLlama2cTokenizer(tok512Path, 512);
const jsonPath = join(mkdtempSync(join(tmpdir(), 'wafer-load-')), 'tokenizer.json');
writeFileSync(jsonPath, sentencePieceToTokenizerJson(tok512));

describe('loadTokenizer picks', () => {
  test('the model tokenizer source when no file is given', () => {
    const tok = loadTokenizer(model(512, { kind: 'llama2c', path: tok512Path }));
    expect([tok.kind, tok.encode('Once upon a time', { bos: true })]).toEqual(['sentencepiece-bpe', onceIds]);
  });

  test('an override ending in .json as a Hugging Face tokenizer.json', () => {
    const tok = loadTokenizer(model(512, { kind: 'llama2c', path: llama2Path }), jsonPath);
    expect([tok.kind, tok.encode('Once upon a time', { bos: true })]).toEqual(['hf-bpe', onceIds]);
  });

  test('any other override as a llama2.c tokenizer file', () => {
    const tok = loadTokenizer(model(512), tok512Path);
    expect([tok.kind, tok.encode('Once upon a time', { bos: true })]).toEqual(['sentencepiece-bpe', onceIds]);
  });

  test('a GGUF-embedded vocabulary', () => {
    const tokens = Array.from({ length: 512 }, (_, id) => tok512.piece(id).replaceAll(' ', '▁'));
    tokens[1] = '<s>';
    tokens[2] = '</s>';
    const scores = Float32Array.from(tokens, (_, id) => tok512.score(id));
    const tok = loadTokenizer(model(512, { kind: 'gguf', tokens, scores, bosId: 1, eosId: 2, model: 'llama', path: 'x.gguf' }));
    expect(tok.encode('Once upon a time', { bos: true })).toEqual(onceIds);
  });
});

describe('loadTokenizer refuses', () => {
  test('a model without any tokenizer', () => {
    expect(() => loadTokenizer(model(512))).toThrow(
      expect.objectContaining({ code: 'FILE_NOT_FOUND', message: 'no tokenizer for /models/tiny.bin: pass --tokenizer FILE' }),
    );
  });

  test('a missing override file', () => {
    expect(() => loadTokenizer(model(512), '/nonexistent/tok.bin')).toThrow(expect.objectContaining({ code: 'FILE_NOT_FOUND' }));
    expect(() => loadTokenizer(model(512), '/nonexistent/tokenizer.json')).toThrow(expect.objectContaining({ code: 'FILE_NOT_FOUND' }));
  });

  test.each([
    ['a llama2.c file', tok512Path],
    ['a tokenizer.json', jsonPath],
  ])('%s whose vocabulary size differs from the model', (_, path) => {
    const error = (() => {
      try {
        loadTokenizer(model(32000), path);
      } catch (err) {
        return err as { code: string; message: string };
      }
      throw new Error('no error');
    })();
    expect(error.code).toBe('TOKENIZER_MISMATCH');
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/\b512\b.*\b32000\b/);
  });
});
