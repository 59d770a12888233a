// Built-in model shapes and shapes from a checkpoint header: the stories260K header as bundled, published
// parameter counts, and bad headers rejected with BAD_CONFIG naming the field.
import { describe, expect, it } from 'vitest';
import { layerWeightCount, modelShape, MODEL_SHAPES, shapeFromLlamaConfig } from '../src/index.js';

describe('model shapes', () => {
  it('stories260K matches its bundled llama2.c header (64, 172, 5, 8, 4, 512, 512)', () => {
    const fromHeader = shapeFromLlamaConfig({ dim: 64, hiddenDim: 172, nLayers: 5, nHeads: 8, nKvHeads: 4, vocabSize: 512, seqLen: 512, sharedClassifier: true }, 'stories260k');
    expect(fromHeader).toEqual(modelShape('stories260k'));
    expect(fromHeader.headDim).toBe(8);
  });
  it('layer weights add up to the published sizes', () => {
    const params = (name: string) => { const s = modelShape(name); return s.nLayers * layerWeightCount(s) + 2 * s.vocabSize * s.dim; };
    expect(params('llama3-8b') / 1e9).toBeCloseTo(8.03, 1);
    expect(params('llama2-13b') / 1e9).toBeCloseTo(13.0, 0);
    expect(Object.keys(MODEL_SHAPES)).toHaveLength(8);
  });
  it('rejects unknown names and bad headers', () => {
    expect(() => modelShape('gpt-5')).toThrow(/unknown model 'gpt-5'/);
    expect(() => shapeFromLlamaConfig({ dim: 64, hiddenDim: 0, nLayers: 5, nHeads: 8, nKvHeads: 4, vocabSize: 512, seqLen: 512 })).toThrow(/hiddenDim must be a positive integer/);
    expect(() => shapeFromLlamaConfig({ dim: 64, hiddenDim: 172, nLayers: 5, nHeads: 8, nKvHeads: 3, vocabSize: 512, seqLen: 512 })).toThrow(/not a multiple of nKvHeads/);
  });
});
