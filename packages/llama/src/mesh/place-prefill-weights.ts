// Host side of the prefill layout: cuts every weight the MeshGEMM prefill needs into x·W blocks ([in × out]),
// pre-skewed for MeshGEMM, and places them beside the decode weights under their own names (P<layer>.*).

import type { ModelDescription, Tensor } from '../model/types.js';
import type { DecodeLayout } from './layout.js';
import type { Placer } from './place-weights.js';
import { attentionUnits, qkvColumns, skewedBlock, type PrefillLayout } from './prefill-layout.js';

function tensor(model: ModelDescription, name: string): Tensor {
  const t = model.tensors.get(name);
  if (t === undefined) throw new Error(`missing tensor ${name}`);
  return t;
}

/** One output column of an x·W block: row `row` of the [out × in] row-major matrix `w` (`stride` = in). */
interface Column {
  w: Float32Array;
  stride: number;
  row: number;
}

/** out[i × c] = column c's weight at input index inputs[i]: a block of Wᵀ gathered by index maps. */
function xwBlock(inputs: number[], columns: Column[]): Float32Array {
  const n = columns.length;
  const out = new Float32Array(inputs.length * n);
  columns.forEach(({ w, stride, row }, c) => {
    const base = row * stride;
    for (let i = 0; i < inputs.length; i++) out[i * n + c] = w[base + inputs[i]];
  });
  return out;
}

function range(offset: number, size: number): number[] {
  return Array.from({ length: size }, (_, i) => offset + i);
}

/**
 * Places, per layer l: P<l>.rms1, P<l>.rms2 [dX(x)] and the pre-skewed MeshGEMM B blocks P<l>.wqkv (the last
 * layer: P<l>.wkv, keys and values only), P<l>.wo, P<l>.w13 (gate | up) and P<l>.w2. The last layer needs
 * neither attention output nor FFN: prefill only has to leave its keys and values in the cache.
 */
export async function placePrefillWeights(mesh: Placer, model: ModelDescription, l: DecodeLayout, pre: PrefillLayout, layers?: number[]): Promise<void> {
  const D = l.dim;
  const qDim = l.nHeads * l.headDim;
  const { P, dX, hX } = pre;
  const dIn = (k: number) => range(dX.offsets[k], dX.sizes[k]);
  const k0 = (x: number, y: number) => skewedBlock(P, x, y);
  for (const layer of layers ?? Array.from({ length: l.nLayers }, (_, i) => i)) {
    const p = `blk.${layer}`;
    const last = layer === l.nLayers - 1;
    const w = { q: tensor(model, `${p}.attn_q`).data, k: tensor(model, `${p}.attn_k`).data, v: tensor(model, `${p}.attn_v`).data };
    const attnNorm = tensor(model, `${p}.attn_norm`).data;
    await mesh.place(`P${layer}.rms1`, (x) => attnNorm.slice(dX.offsets[x], dX.offsets[x] + dX.sizes[x]));
    // q, k, v fused: [D block k0] × [q heads | k heads | v heads], each head's dims headX(x)
    await mesh.place(`P${layer}.${last ? 'wkv' : 'wqkv'}`, (x, y) =>
      xwBlock(dIn(k0(x, y)), qkvColumns(l, pre, x, !last).map((c) => ({ w: w[c.weight], stride: D, row: c.row }))),
    );
    if (last) continue;
    const wo = tensor(model, `${p}.attn_output`).data; // [D, qDim]
    const w1 = tensor(model, `${p}.ffn_gate`).data; // [hidden, D]
    const w2 = tensor(model, `${p}.ffn_down`).data; // [D, hidden]
    const w3 = tensor(model, `${p}.ffn_up`).data; // [hidden, D]
    const ffnNorm = tensor(model, `${p}.ffn_norm`).data;
    await mesh.place(`P${layer}.rms2`, (x) => ffnNorm.slice(dX.offsets[x], dX.offsets[x] + dX.sizes[x]));
    // output projection: [attention units of column k0, head-major] × [D block x]
    await mesh.place(`P${layer}.wo`, (x, y) => xwBlock(attentionUnits(l, pre, k0(x, y)), range(dX.offsets[x], dX.sizes[x]).map((row) => ({ w: wo, stride: qDim, row }))));
    // gate and up fused: [D block k0] × [gate hX(x) | up hX(x)]
    await mesh.place(`P${layer}.w13`, (x, y) => {
      const hidden = range(hX.offsets[x], hX.sizes[x]);
      return xwBlock(dIn(k0(x, y)), [...hidden.map((row) => ({ w: w1, stride: D, row })), ...hidden.map((row) => ({ w: w3, stride: D, row }))]);
    });
    // down projection: [hidden block k0] × [D block x]
    await mesh.place(`P${layer}.w2`, (x, y) => {
      const kb = k0(x, y);
      return xwBlock(range(hX.offsets[kb], hX.sizes[kb]), range(dX.offsets[x], dX.sizes[x]).map((row) => ({ w: w2, stride: l.hidden, row })));
    });
  }
}
