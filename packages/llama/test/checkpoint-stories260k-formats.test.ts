// stories260K.bin (llama2.c) and stories260K.gguf (llama.cpp's conversion of the same model) load to the
// expected configs and bit-identical tensors (models/README.md: every GGUF tensor equals the .bin's).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../src/checkpoint/index.js';
import { STORIES_BIN, STORIES_GGUF, STORIES_SHAPE, STORIES_TOK, expectSameTensors } from './checkpoint-fixtures.js';

describe('stories260K in llama2.c and GGUF formats', () => {
  const bin = loadModel(STORIES_BIN);
  const gguf = loadModel(STORIES_GGUF);

  it('reads the .bin header as its config', () => {
    expect(bin.format).toBe('llama2c');
    expect(bin.config).toEqual({ ...STORIES_SHAPE, seqLen: 512, normEps: 1e-5, ropeTheta: 10000, sharedClassifier: true });
    expect([bin.bosId, bin.eosId, bin.stopOnBos]).toEqual([1, 2, true]);
    expect(bin.tokenizer).toEqual({ kind: 'llama2c', path: STORIES_TOK });
    expect(bin.tensors.get('output')!.data).toBe(bin.tensors.get('token_embd')!.data);
  });

  it('places the .bin weights where run.c reads them', () => {
    const raw = readFileSync(STORIES_BIN);
    const { dim, vocabSize, nLayers } = STORIES_SHAPE;
    const embedding = bin.tensors.get('token_embd')!;
    expect(embedding.shape).toEqual([vocabSize, dim]);
    expect(embedding.data[0]).toBe(raw.readFloatLE(28));
    // rms_att of layer 0 directly follows the embedding table.
    expect(bin.tensors.get('blk.0.attn_norm')!.data[0]).toBe(raw.readFloatLE(28 + 4 * vocabSize * dim));
    expect(bin.tensors.get(`blk.${nLayers - 1}.attn_k`)!.shape).toEqual([32, 64]);
  });

  it('reads the GGUF metadata as its config and embedded tokenizer', () => {
    expect(gguf.format).toBe('gguf');
    expect(gguf.config).toEqual({
      ...STORIES_SHAPE,
      seqLen: 2048, // the GGUF's llama.context_length
      normEps: Math.fround(1e-5), // stored as float32
      ropeTheta: 10000,
      sharedClassifier: false, // output.weight is an explicit copy
    });
    expect([gguf.bosId, gguf.eosId, gguf.stopOnBos]).toEqual([1, 2, true]);
    const tok = gguf.tokenizer;
    expect(tok?.kind).toBe('gguf');
    if (tok?.kind !== 'gguf') return;
    expect(tok.tokens.length).toBe(512);
    expect(tok.tokens.slice(0, 4)).toEqual(['<unk>', '<s>', '</s>', '<0x00>']);
    expect(tok.scores.length).toBe(512);
    expect(tok.tokenTypes?.length).toBe(512);
    expect([tok.model, tok.bosId, tok.eosId]).toEqual(['llama', 1, 2]);
  });

  it('gives bit-identical tensors from both files', () => {
    expectSameTensors(gguf, bin);
    for (const tensor of gguf.tensors.values()) expect(tensor.sourceDtype).toBe('F32');
  });
});
