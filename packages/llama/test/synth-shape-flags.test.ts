// Shape flags become a LlamaConfig, and every bad flag is a usage error naming that flag.

import { describe, expect, test } from 'vitest';
import { shapeFromFlags, synthShape, type ShapeFlags } from '../src/synth/index.js';

const stories15M: ShapeFlags = { dim: 288, hidden: 768, layers: 6, heads: 6, kvHeads: 6, vocab: 32000, seq: 256 };

describe('shapeFromFlags', () => {
  test('the stories15M flags give the named stories15M shape', () => {
    expect(shapeFromFlags(stories15M)).toEqual(synthShape('stories15M'));
  });

  test('GQA flags, theta and eps are honoured', () => {
    const config = shapeFromFlags({ dim: 128, hidden: 256, layers: 2, heads: 8, kvHeads: 2, vocab: 300, seq: 64, ropeTheta: 500000, normEps: 1e-6 });
    expect(config).toMatchObject({ headDim: 16, nHeads: 8, nKvHeads: 2, ropeTheta: 500000, normEps: 1e-6, sharedClassifier: true });
  });

  test.each([
    [{ dim: 0 }, '--dim'],
    [{ dim: 288.5 }, '--dim'],
    [{ hidden: -768 }, '--hidden'],
    [{ layers: Number.NaN }, '--layers'],
    [{ heads: 0 }, '--heads'],
    [{ kvHeads: 1.5 }, '--kv-heads'],
    [{ vocab: 2 ** 30 }, '--vocab'],
    [{ seq: '256' as unknown as number }, '--seq'],
    [{ heads: 7 }, '--dim 288 must be divisible by --heads 7'],
    [{ kvHeads: 4 }, '--heads 6 must be divisible by --kv-heads 4'],
    [{ dim: 270, heads: 6 }, 'head size 45'],
    [{ ropeTheta: 0 }, '--rope-theta'],
    [{ normEps: -1 }, '--norm-eps'],
  ])('%o → usage error mentioning %s', (bad, text) => {
    expect(() => shapeFromFlags({ ...stories15M, ...bad })).toThrow(expect.objectContaining({ code: 'USAGE', message: expect.stringContaining(text) }));
  });

  test('an unknown shape name is a usage error listing the known ones', () => {
    expect(() => synthShape('stories42M')).toThrow(expect.objectContaining({ code: 'USAGE', message: expect.stringContaining('stories15M, stories110M') }));
  });
});
