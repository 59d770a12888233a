// writeGguf → readGguf: F32 is exact (also read back as GGUF v2), F16 and Q8_0 are within their rounding
// bounds, norms stay F32, matrices whose rows do not fit Q8_0 fall back to F16 as llama.cpp's do, and a
// shared classifier is written without output.weight.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel, writeGguf } from '../src/checkpoint/index.js';
import type { ModelDescription } from '../src/model/types.js';
import { STORIES_BIN, STORIES_GGUF, expectSameTensors, tempDir } from './checkpoint-fixtures.js';

const tmp = tempDir();
afterAll(tmp.remove);

const bin = loadModel(STORIES_BIN);
const gguf = loadModel(STORIES_GGUF);
const embedded = gguf.tokenizer?.kind === 'gguf' ? gguf.tokenizer : undefined;
const tokenizer = embedded && { tokens: embedded.tokens, scores: embedded.scores, tokenTypes: embedded.tokenTypes!, bos: 1, eos: 2 };

function roundTrip(model: ModelDescription, dtype: 'F32' | 'F16' | 'Q8_0'): ModelDescription {
  const path = join(tmp.dir, `${dtype}-${model.format}.gguf`);
  writeGguf(path, model, { dtype, tokenizer });
  return loadModel(path);
}

/** Asserts |got[i] - want[i]| ≤ bound(i) everywhere, reporting the worst element. */
function expectWithin(got: Float32Array, want: Float32Array, bound: (i: number) => number, name: string): void {
  let worst = { index: -1, excess: 0 };
  for (let i = 0; i < want.length; i++) {
    const excess = Math.abs(got[i] - want[i]) - bound(i);
    if (excess > worst.excess) worst = { index: i, excess };
  }
  expect(worst.index, `${name}[${worst.index}] = ${got[worst.index]} vs ${want[worst.index]}`).toBe(-1);
}

/** Largest |x| of each 32-value block, repeated per element. */
function blockMax(data: Float32Array): Float32Array {
  const out = new Float32Array(data.length);
  for (let b = 0; b < data.length; b += 32) {
    let amax = 0;
    for (let j = b; j < b + 32; j++) amax = Math.max(amax, Math.abs(data[j]));
    out.fill(amax, b, b + 32);
  }
  return out;
}

describe('GGUF round trip', () => {
  it('F32 is bit-exact, keeps the config and the tokenizer, and omits output when shared', () => {
    const back = roundTrip(bin, 'F32');
    expect(back.config).toEqual({ ...bin.config, normEps: Math.fround(1e-5) });
    expectSameTensors(back, bin);
    expect(back.tensors.get('output')!.data).toBe(back.tensors.get('token_embd')!.data);
    expect(back.tokenizer?.kind === 'gguf' && back.tokenizer.tokens).toEqual(embedded!.tokens);
    expect(back.stopOnBos).toBe(true);
  });

  it('reads the same file labelled GGUF v2 identically', () => {
    const v3 = join(tmp.dir, 'F32-gguf.gguf');
    writeGguf(v3, gguf, { dtype: 'F32', tokenizer });
    const bytes = readFileSync(v3);
    bytes.writeUInt32LE(2, 4);
    const v2 = join(tmp.dir, 'v2.gguf');
    writeFileSync(v2, bytes);
    expect(bytes.readUInt32LE(4)).toBe(2);
    const back = loadModel(v2);
    expect(back.config.sharedClassifier).toBe(false);
    expectSameTensors(back, gguf);
  });

  it('F16 matrices are within half an f16 ulp; norms stay F32 and exact', () => {
    const back = roundTrip(bin, 'F16');
    for (const [name, tensor] of bin.tensors) {
      const got = back.tensors.get(name)!;
      expect(got.sourceDtype, name).toBe(tensor.shape.length === 2 ? 'F16' : 'F32');
      // f16 has 11 significant bits: relative error ≤ 2^-11; subnormal spacing 2^-24 (error ≤ 2^-25).
      expectWithin(got.data, tensor.data, (i) => Math.abs(tensor.data[i]) * 2 ** -11 + 2 ** -25, name);
    }
  });

  it('Q8_0 matrices with 32-divisible rows are within the block rounding bound; others F16 (as llama.cpp), norms F32', () => {
    const back = roundTrip(bin, 'Q8_0');
    for (const [name, tensor] of bin.tensors) {
      const got = back.tensors.get(name)!;
      const matrix = tensor.shape.length === 2;
      const quantised = matrix && tensor.shape[1] % 32 === 0;
      expect(got.sourceDtype, name).toBe(quantised ? 'Q8_0' : matrix ? 'F16' : 'F32');
      if (!matrix) {
        expect(got.data).toEqual(tensor.data);
        continue;
      }
      if (!quantised) {
        expectWithin(got.data, tensor.data, (i) => Math.abs(tensor.data[i]) * 2 ** -11 + 2 ** -25, name);
        continue;
      }
      // Rounding to d = amax/127 steps errs by ≤ d/2 = amax/254; storing d as f16 adds ≤ 127·d·2^-11.
      const amax = blockMax(tensor.data);
      expectWithin(got.data, tensor.data, (i) => amax[i] * (1 / 254 + 2 ** -11) * 1.0001, name);
    }
  });
});
