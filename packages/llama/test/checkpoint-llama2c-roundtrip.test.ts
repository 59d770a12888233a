// writeLlama2c reproduces stories260K.bin byte for byte up to the RoPE tables (written as zeros), and a
// separate classifier is written with a negative vocab_size and read back as such.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel, writeLlama2c } from '../src/checkpoint/index.js';
import { STORIES_BIN, STORIES_GGUF, STORIES_SHAPE, expectSameTensors, tempDir } from './checkpoint-fixtures.js';

const tmp = tempDir();
afterAll(tmp.remove);

/** 260,032 parameters of stories260K (models/README.md), then 2 × 512 × 4 RoPE floats. */
const PARAMETER_BYTES = 28 + 4 * 260_032;

describe('llama2.c writer', () => {
  it('rewrites stories260K.bin identically except for zeroed RoPE tables', () => {
    const path = join(tmp.dir, 'shared.bin');
    writeLlama2c(path, loadModel(STORIES_BIN));
    const original = readFileSync(STORIES_BIN);
    const written = readFileSync(path);
    expect(written.length).toBe(original.length);
    expect(written.subarray(0, PARAMETER_BYTES).equals(original.subarray(0, PARAMETER_BYTES))).toBe(true);
    expect(written.subarray(PARAMETER_BYTES).every((b) => b === 0)).toBe(true);
  });

  it('writes a separate classifier after the RoPE tables with a negative vocab_size', () => {
    const gguf = loadModel(STORIES_GGUF); // has an explicit output.weight
    const path = join(tmp.dir, 'separate.bin');
    writeLlama2c(path, gguf);
    const written = readFileSync(path);
    expect(written.readInt32LE(20)).toBe(-STORIES_SHAPE.vocabSize);
    const ropeFloats = 2048 * STORIES_SHAPE.headDim; // the GGUF's context length 2048 sizes the tables
    expect(written.length).toBe(PARAMETER_BYTES + 4 * (ropeFloats + STORIES_SHAPE.vocabSize * STORIES_SHAPE.dim));
    const back = loadModel(path);
    expect(back.config).toMatchObject({ sharedClassifier: false, seqLen: 2048, vocabSize: 512 });
    expect(back.tensors.get('output')!.data).not.toBe(back.tensors.get('token_embd')!.data);
    expectSameTensors(back, gguf);
  });
});
