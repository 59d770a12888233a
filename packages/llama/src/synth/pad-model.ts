// Widens a checkpoint to dim and hidden sizes that are multiples of a block (256 for the K-quants) without
// changing what it computes: the real weights keep their places (RoPE pairs spread so each keeps its
// frequency), every output into a new dimension is zero, and every weight that only ever multiplies a zero
// input is filled from a seeded normal stream, so quantisation blocks look like those of a full-width model.
import { WaferError, usageError } from '@wafer/arch';
import type { LlamaConfig, ModelDescription, Tensor } from '../model/types.js';
import { copyShape } from './shapes.js';
import { NormalRng } from './normal-rng.js';

/** Where the old rows (or columns) of one axis go in the widened axis, and which new ones are inert inputs. */
interface AxisMap {
  size: number;
  /** New index of each old index. */
  place: Int32Array;
  /** For a column axis: new indices whose input is always zero, so any weight there is inert. */
  inert: Uint8Array;
}

function axis(size: number, place: (old: number) => number, oldSize: number): AxisMap {
  const map = Int32Array.from({ length: oldSize }, (_, i) => place(i));
  const inert = new Uint8Array(size).fill(1);
  for (const at of map) inert[at] = 0;
  return { size, place: map, inert };
}

/**
 * `model` widened so dim and hiddenDim are multiples of `multiple`, computing the same logits (bit for bit
 * in the reference engine when the widening ratio of dim is a power of 4). Head counts stay; each head
 * widens by r = newDim / dim, old pair p becoming pair r·p, whose RoPE frequency is the same. RMSNorm
 * weights and epsilon are scaled by dim / newDim and query rows by √r to keep the norms and the score scale.
 */
export function padModel(model: ModelDescription, multiple: number, seed: number): ModelDescription {
  const c = model.config;
  if (!Number.isInteger(multiple) || multiple < 2) throw usageError(`--pad-to must be an integer of at least 2, got ${multiple}`);
  const dim = Math.ceil(c.dim / multiple) * multiple;
  const hidden = Math.ceil(c.hiddenDim / multiple) * multiple;
  if (dim % c.dim !== 0) {
    throw new WaferError('UNSUPPORTED', `${model.path}: dim ${c.dim} padded to ${dim} is not a whole multiple of it, so the heads cannot widen evenly`);
  }
  const r = dim / c.dim;
  const headDim = c.headDim * r;
  const config: LlamaConfig = { ...copyShape(c), dim, hiddenDim: hidden, headDim, normEps: (Math.fround(c.normEps) * c.dim) / dim };
  const residual = axis(dim, (i) => i, c.dim);
  const heads = (n: number) => axis(n * headDim, (i) => Math.floor(i / c.headDim) * headDim + r * (i % c.headDim & ~1) + (i & 1), n * c.headDim);
  const q = heads(c.nHeads);
  const kv = heads(c.nKvHeads);
  const ffn = axis(hidden, (i) => i, c.hiddenDim);
  const tokens = axis(c.vocabSize, (i) => i, c.vocabSize);
  const normScale = Math.sqrt(c.dim / dim);
  const rng = new NormalRng(seed);

  const tensors = new Map<string, Tensor>();
  const widen = (name: string, rows: AxisMap, cols: AxisMap, scale = 1, colsInert = true) => {
    tensors.set(name, widenMatrix(model.tensors.get(name)!, rows, cols, scale, colsInert, rng));
  };
  const noInert = { ...residual, inert: new Uint8Array(dim) }; // token_embd's columns are the residual itself
  widen('token_embd', tokens, noInert, 1, false);
  for (let l = 0; l < c.nLayers; l++) {
    const b = `blk.${l}.`;
    tensors.set(`${b}attn_norm`, widenVector(model.tensors.get(`${b}attn_norm`)!, dim, normScale));
    tensors.set(`${b}ffn_norm`, widenVector(model.tensors.get(`${b}ffn_norm`)!, dim, normScale));
    widen(`${b}attn_q`, q, residual, Math.sqrt(r));
    widen(`${b}attn_k`, kv, residual);
    widen(`${b}attn_v`, kv, residual);
    widen(`${b}attn_output`, residual, q);
    widen(`${b}ffn_gate`, ffn, residual);
    widen(`${b}ffn_up`, ffn, residual);
    widen(`${b}ffn_down`, residual, ffn);
  }
  tensors.set('output_norm', widenVector(model.tensors.get('output_norm')!, dim, normScale));
  if (c.sharedClassifier) tensors.set('output', { ...tensors.get('token_embd')!, name: 'output' });
  else widen('output', tokens, residual);
  return { ...model, path: `${model.path} padded to ${multiple} (seed ${seed})`, config, tensors, load: undefined };
}

/** A norm weight vector widened to `size`: old values × scale, new entries 0 (they only ever see zeros). */
function widenVector(tensor: Tensor, size: number, scale: number): Tensor {
  const data = new Float32Array(size);
  for (let i = 0; i < tensor.data.length; i++) data[i] = tensor.data[i] * scale;
  return { name: tensor.name, shape: [size], data, sourceDtype: 'F32' };
}

/**
 * A matrix widened to rows.size × cols.size: old values (× scale) at their new places; weights in inert
 * columns drawn from normal(0, std of the old values) when `colsInert`; everything else 0, so no new row
 * adds anything to a live output.
 */
function widenMatrix(tensor: Tensor, rows: AxisMap, cols: AxisMap, scale: number, colsInert: boolean, rng: NormalRng): Tensor {
  const [oldRows, oldCols] = tensor.shape;
  const data = new Float32Array(rows.size * cols.size);
  if (colsInert) {
    const std = standardDeviation(tensor.data);
    const noise = new Float32Array(cols.size);
    for (let row = 0; row < rows.size; row++) {
      rng.fillNormal(noise, std);
      for (let col = 0; col < cols.size; col++) if (cols.inert[col]) data[row * cols.size + col] = noise[col];
    }
  }
  for (let i = 0; i < oldRows; i++) {
    const row = rows.place[i] * cols.size;
    for (let j = 0; j < oldCols; j++) data[row + cols.place[j]] = tensor.data[i * oldCols + j] * scale;
  }
  return { name: tensor.name, shape: [rows.size, cols.size], data, sourceDtype: 'F32' };
}

function standardDeviation(data: Float32Array): number {
  let sum = 0;
  let squares = 0;
  for (const v of data) {
    sum += v;
    squares += v * v;
  }
  const mean = sum / data.length;
  return Math.sqrt(Math.max(0, squares / data.length - mean * mean));
}
