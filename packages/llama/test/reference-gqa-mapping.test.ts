// Grouped-query attention: query head h reads kv head floor(h / (nHeads / nKvHeads)). A GQA model must give
// the same logits as the multi-head model whose K/V projections repeat each kv head for its query group.

import { describe, expect, test } from 'vitest';
import type { ModelDescription, Tensor } from '../src/model/types.js';
import { ReferenceLlama } from '../src/reference/index.js';
import { synthShape, synthesize } from '../src/synth/index.js';

/** The MHA twin of a GQA model: kv head g's rows copied to kv heads g*kvMul .. g*kvMul + kvMul - 1. */
function expandToMultiHead(gqa: ModelDescription): ModelDescription {
  const c = gqa.config;
  const kvMul = c.nHeads / c.nKvHeads;
  const tensors = new Map<string, Tensor>(gqa.tensors);
  for (let l = 0; l < c.nLayers; l++) {
    for (const kind of ['attn_k', 'attn_v']) {
      const name = `blk.${l}.${kind}`;
      const source = gqa.tensors.get(name)!.data; // [nKvHeads*headDim, dim]
      const rowsPerHead = c.headDim * c.dim;
      const data = new Float32Array(c.nHeads * rowsPerHead); // [nHeads*headDim, dim]
      for (let h = 0; h < c.nHeads; h++) {
        const g = Math.floor(h / kvMul);
        data.set(source.subarray(g * rowsPerHead, (g + 1) * rowsPerHead), h * rowsPerHead);
      }
      tensors.set(name, { name, shape: [c.nHeads * c.headDim, c.dim], data, sourceDtype: 'F32' });
    }
  }
  return { ...gqa, config: { ...c, nKvHeads: c.nHeads }, tensors };
}

describe('grouped-query attention head mapping', () => {
  test('llama-gqa-tiny (8 heads, 2 kv heads) equals its multi-head expansion at every position', () => {
    const gqaModel = synthesize(synthShape('llama-gqa-tiny'), 7);
    expect(gqaModel.config.nHeads / gqaModel.config.nKvHeads).toBe(4);
    const gqa = new ReferenceLlama(gqaModel);
    const mha = new ReferenceLlama(expandToMultiHead(gqaModel));
    const tokens = [1, 17, 200, 5, 99, 42, 3, 250, 128, 64];
    tokens.forEach((token, pos) => {
      expect(gqa.forward(token, pos)).toEqual(mha.forward(token, pos));
    });
  });

  test('the expansion is not trivially equal: swapping two kv heads changes the logits', () => {
    const model = synthesize(synthShape('llama-gqa-tiny'), 7);
    const swapped = new Map(model.tensors);
    const c = model.config;
    const k = model.tensors.get('blk.0.attn_k')!;
    const rows = c.headDim * c.dim;
    const data = new Float32Array(k.data.length);
    data.set(k.data.subarray(rows, 2 * rows), 0);
    data.set(k.data.subarray(0, rows), rows);
    swapped.set('blk.0.attn_k', { ...k, data });
    const a = new ReferenceLlama(model);
    const b = new ReferenceLlama({ ...model, tensors: swapped });
    a.forward(1, 0);
    b.forward(1, 0);
    expect(a.forward(17, 1)).not.toEqual(b.forward(17, 1));
  });
});
