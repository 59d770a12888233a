// The named synthetic shapes have the published hyperparameters and parameter counts.

import { describe, expect, test } from 'vitest';
import { SYNTH_SHAPE_NAMES, parameterCount, synthShape } from '../src/synth/index.js';

describe('named synthetic shapes', () => {
  test('parameter counts: stories260K 260,032 (its .bin), stories15M 15,191,712 (60,816,028-byte stories15M.bin)', () => {
    expect(parameterCount(synthShape('stories260K'))).toBe(260_032);
    expect(parameterCount(synthShape('stories15M'))).toBe(15_191_712);
  });

  test('stories110M and the Llama 3.2 1B look-alike', () => {
    expect(synthShape('stories110M')).toMatchObject({ dim: 768, hiddenDim: 2048, nLayers: 12, nHeads: 12, nKvHeads: 12, vocabSize: 32000, seqLen: 1024 });
    const llama = synthShape('llama-3.2-1b-like');
    expect(llama).toMatchObject({ dim: 2048, hiddenDim: 8192, nLayers: 16, nHeads: 32, nKvHeads: 8, headDim: 64, vocabSize: 128256, seqLen: 2048, ropeTheta: 500000 });
    expect(llama.ropeScaling).toEqual({ type: 'llama3', factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192 });
    // Llama 3.2 1B has 1,235,814,400 parameters with tied embeddings; the look-alike has the same widths.
    expect(parameterCount(llama)).toBe(1_235_814_400);
  });

  test('every named shape is self-consistent and returned as a fresh copy', () => {
    for (const name of SYNTH_SHAPE_NAMES) {
      const shape = synthShape(name);
      expect(shape.headDim * shape.nHeads, name).toBe(shape.dim);
      expect(shape.nHeads % shape.nKvHeads, name).toBe(0);
      shape.dim = -1;
      expect(synthShape(name).dim, name).toBeGreaterThan(0);
    }
  });
});
