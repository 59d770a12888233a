// Host side of the decode layout: cuts every weight of the model into the block each core holds, in the
// orientation its GEMV needs (input rows × output columns), so no core ever transposes anything.

import type { ModelDescription, Tensor } from '../model/types.js';
import type { DecodeLayout } from './layout.js';

/** Anything that can place named per-core blocks (the fabric). */
export interface Placer {
  place(name: string, block: (x: number, y: number) => Float32Array | undefined): Promise<void>;
}

function tensor(model: ModelDescription, name: string): Tensor {
  const t = model.tensors.get(name);
  if (t === undefined) throw new Error(`missing tensor ${name}`);
  return t;
}

/**
 * out[m × n] with out[i, c] = W[rowOf(c), colOf(i)], W row-major [rows, stride]: a block of Wᵀ gathered
 * by index maps, i.e. input index i (a column of W) by output index c (a row of W).
 */
function transposedBlock(w: Float32Array, stride: number, m: number, n: number, colOf: (i: number) => number, rowOf: (c: number) => number): Float32Array {
  const out = new Float32Array(m * n);
  for (let c = 0; c < n; c++) {
    const row = rowOf(c) * stride;
    for (let i = 0; i < m; i++) out[i * n + c] = w[row + colOf(i)];
  }
  return out;
}

/** Query row of local q index c = r·b + jl on a core whose kv units start at kvOff (llama2.c's GQA order). */
export function queryRow(l: DecodeLayout, kvOff: number, b: number, c: number): number {
  const r = Math.floor(c / b);
  const j = kvOff + (c % b);
  const g = Math.floor(j / l.headDim);
  return (g * l.nrep + r) * l.headDim + (j % l.headDim);
}

/** Places every weight of `model` on the mesh in the decode layout (every layer on every core). */
export async function placeDecodeWeights(mesh: Placer, model: ModelDescription, l: DecodeLayout): Promise<void> {
  for (let layer = 0; layer < l.nLayers; layer++) await placeLayerWeights(mesh, model, l, layer);
  await placeClassifier(mesh, model, l);
  if (!l.sharedClassifier) await placeEmbedding(mesh, model, l, 'embd');
}

/** Places layer `layer`'s norms and (unless `normsOnly`) GEMV blocks (L<layer>.rms1, .rms2, .wqkv, .wo, .w13, .w2). */
export async function placeLayerWeights(mesh: Placer, model: ModelDescription, l: DecodeLayout, layer: number, normsOnly = false): Promise<void> {
  const D = l.dim;
  const qDim = l.nHeads * l.headDim;
  const dIdx = (y: number) => (i: number) => l.dY.offsets[y] + i;
  const p = `blk.${layer}`;
  const wq = tensor(model, `${p}.attn_q`).data;
  const wk = tensor(model, `${p}.attn_k`).data;
  const wv = tensor(model, `${p}.attn_v`).data;
  const wo = tensor(model, `${p}.attn_output`).data;
  const w1 = tensor(model, `${p}.ffn_gate`).data;
  const w2 = tensor(model, `${p}.ffn_down`).data;
  const w3 = tensor(model, `${p}.ffn_up`).data;
  const attnNorm = tensor(model, `${p}.attn_norm`).data;
  const ffnNorm = tensor(model, `${p}.ffn_norm`).data;
  await mesh.place(`L${layer}.rms1`, (_x, y) => attnNorm.slice(l.dY.offsets[y], l.dY.offsets[y] + l.dY.sizes[y]));
  await mesh.place(`L${layer}.rms2`, (_x, y) => ffnNorm.slice(l.dY.offsets[y], l.dY.offsets[y] + l.dY.sizes[y]));
  if (normsOnly) return;
  // q, k, v fused: [D slice y] × [q units (nrep·b), k units (b), v units (b)]
  await mesh.place(`L${layer}.wqkv`, (x, y) => {
    const b = l.kvX.sizes[x];
    const kvOff = l.kvX.offsets[x];
    const m = l.dY.sizes[y];
    const q = transposedBlock(wq, D, m, l.nrep * b, dIdx(y), (c) => queryRow(l, kvOff, b, c));
    const k = transposedBlock(wk, D, m, b, dIdx(y), (c) => kvOff + c);
    const v = transposedBlock(wv, D, m, b, dIdx(y), (c) => kvOff + c);
    const n = (l.nrep + 2) * b;
    const out = new Float32Array(m * n);
    for (let i = 0; i < m; i++) {
      out.set(q.subarray(i * l.nrep * b, (i + 1) * l.nrep * b), i * n);
      out.set(k.subarray(i * b, (i + 1) * b), i * n + l.nrep * b);
      out.set(v.subarray(i * b, (i + 1) * b), i * n + (l.nrep + 1) * b);
    }
    return out;
  });
  // output projection, stored "transposed": input = this core's attention units, output = D slice y
  await mesh.place(`L${layer}.wo`, (x, y) => {
    const b = l.kvX.sizes[x];
    return transposedBlock(wo, qDim, l.nrep * b, l.dY.sizes[y], (c) => queryRow(l, l.kvX.offsets[x], b, c), (d) => l.dY.offsets[y] + d);
  });
  // gate and up fused: [D slice y] × [gate (h), up (h)]
  await mesh.place(`L${layer}.w13`, (x, y) => {
    const h = l.hX.sizes[x];
    const m = l.dY.sizes[y];
    const g = transposedBlock(w1, D, m, h, dIdx(y), (c) => l.hX.offsets[x] + c);
    const u = transposedBlock(w3, D, m, h, dIdx(y), (c) => l.hX.offsets[x] + c);
    const out = new Float32Array(m * 2 * h);
    for (let i = 0; i < m; i++) {
      out.set(g.subarray(i * h, (i + 1) * h), i * 2 * h);
      out.set(u.subarray(i * h, (i + 1) * h), i * 2 * h + h);
    }
    return out;
  });
  // down projection, stored "transposed": input = hidden slice x, output = D slice y
  await mesh.place(`L${layer}.w2`, (x, y) => transposedBlock(w2, l.hidden, l.hX.sizes[x], l.dY.sizes[y], (c) => l.hX.offsets[x] + c, (d) => l.dY.offsets[y] + d));
}

/** Places the final norm ('rmsf') and the classifier's blocks ('wcls': [D slice y] × [vocab block x]). */
export async function placeClassifier(mesh: Placer, model: ModelDescription, l: DecodeLayout): Promise<void> {
  const outNorm = tensor(model, 'output_norm').data;
  const cls = tensor(model, 'output').data;
  await mesh.place('rmsf', (_x, y) => outNorm.slice(l.dY.offsets[y], l.dY.offsets[y] + l.dY.sizes[y]));
  await mesh.place('wcls', (x, y) => transposedBlock(cls, l.dim, l.dY.sizes[y], l.vX.sizes[x], (i) => l.dY.offsets[y] + i, (c) => l.vX.offsets[x] + c));
}

/** Places the embedding table's blocks under `name` ([D slice y] × [vocab block x], as the classifier's). */
export async function placeEmbedding(mesh: Placer, model: ModelDescription, l: DecodeLayout, name: string): Promise<void> {
  const emb = tensor(model, 'token_embd').data;
  await mesh.place(name, (x, y) => transposedBlock(emb, l.dim, l.dY.sizes[y], l.vX.sizes[x], (i) => l.dY.offsets[y] + i, (c) => l.vX.offsets[x] + c));
}
