// A malformed ModelDescription fails in the ReferenceLlama constructor with a typed error naming the tensor.

import { describe, expect, test } from 'vitest';
import { ReferenceLlama } from '../src/reference/index.js';
import { synthShape, synthesize } from '../src/synth/index.js';

describe('ReferenceLlama rejects malformed models', () => {
  const model = synthesize(synthShape('llama-gqa-tiny'), 1);

  test('a missing tensor → MISSING_TENSOR naming it', () => {
    const tensors = new Map(model.tensors);
    tensors.delete('blk.1.ffn_up');
    expect(() => new ReferenceLlama({ ...model, tensors })).toThrow(expect.objectContaining({ code: 'MISSING_TENSOR', message: expect.stringContaining('blk.1.ffn_up') }));
  });

  test('a transposed matrix → BAD_HEADER naming its shape', () => {
    const tensors = new Map(model.tensors);
    const k = tensors.get('blk.0.attn_k')!;
    tensors.set('blk.0.attn_k', { ...k, shape: [k.shape[1], k.shape[0]] });
    expect(() => new ReferenceLlama({ ...model, tensors })).toThrow(expect.objectContaining({ code: 'BAD_HEADER', message: expect.stringContaining('blk.0.attn_k has shape [64, 16]') }));
  });

  test('nHeads not a multiple of nKvHeads → BAD_HEADER', () => {
    expect(() => new ReferenceLlama({ ...model, config: { ...model.config, nKvHeads: 3 } })).toThrow(expect.objectContaining({ code: 'BAD_HEADER' }));
  });
});
