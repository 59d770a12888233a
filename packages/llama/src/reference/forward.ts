// The single-threaded reference forward pass: one token at one position in, logits out, narrated like
// llama2.c run.c's forward(). Every distributed engine is checked against this class.
// Numerics: float32 buffers; see float32-ops.ts for where arithmetic is float32 and where it is double.
import { invariant } from '@wafer/arch';
import type { LlamaConfig, ModelDescription } from '../model/types.js';
import { matmul, rmsnorm, softmax } from './float32-ops.js';
import { ropeFrequencies, ropeRotation, rotateHead } from './rope.js';
import { referenceWeights, type ReferenceWeights } from './weights.js';

const f32 = Math.fround;

/** run.c's Transformer: weights, the activation buffers of one step, and the KV cache. */
export class ReferenceLlama {
  /** The model's hyperparameters. */
  readonly config: LlamaConfig;
  private readonly w: ReferenceWeights;
  private readonly eps32: number; // normEps as float32
  private readonly freqs: Float32Array; // [headDim/2] RoPE inverse frequencies (Llama 3 scaled if configured)
  // Activations of the current step (run.c's RunState).
  private readonly x: Float32Array; // [dim] the residual stream
  private readonly xb: Float32Array; // [max(dim, nHeads*headDim)] normed input, then attention output
  private readonly xb2: Float32Array; // [dim] attention output projected by wo
  private readonly hb: Float32Array; // [hidden] w1 x, then silu(w1 x) * w3 x
  private readonly hb2: Float32Array; // [hidden] w3 x
  private readonly q: Float32Array; // [nHeads*headDim] query of this token
  private readonly att: Float32Array; // [nHeads, seqLen] attention scores, then probabilities
  private readonly headAcc: Float64Array; // [headDim] double accumulator for one head's weighted sum of values
  private readonly ropeCos: Float32Array; // [headDim/2]
  private readonly ropeSin: Float32Array; // [headDim/2]
  private readonly logits: Float32Array; // [vocab]
  private readonly keyCache: Float32Array; // [nLayers, seqLen, nKvHeads*headDim]
  private readonly valueCache: Float32Array; // [nLayers, seqLen, nKvHeads*headDim]

  /** Checks every tensor's shape (MISSING_TENSOR / BAD_HEADER) before allocating the KV cache. */
  constructor(model: ModelDescription) {
    this.w = referenceWeights(model);
    const c = model.config;
    this.config = c;
    const qDim = c.nHeads * c.headDim;
    const kvDim = c.nKvHeads * c.headDim;
    this.eps32 = f32(c.normEps);
    this.freqs = ropeFrequencies(c);
    this.x = new Float32Array(c.dim);
    this.xb = new Float32Array(Math.max(c.dim, qDim));
    this.xb2 = new Float32Array(c.dim);
    this.hb = new Float32Array(c.hiddenDim);
    this.hb2 = new Float32Array(c.hiddenDim);
    this.q = new Float32Array(qDim);
    this.att = new Float32Array(c.nHeads * c.seqLen);
    this.headAcc = new Float64Array(c.headDim);
    this.ropeCos = new Float32Array(c.headDim / 2);
    this.ropeSin = new Float32Array(c.headDim / 2);
    this.logits = new Float32Array(c.vocabSize);
    this.keyCache = new Float32Array(c.nLayers * c.seqLen * kvDim);
    this.valueCache = new Float32Array(c.nLayers * c.seqLen * kvDim);
  }

  /** Forgets every cached position (zeroes the KV cache) so a new sequence can start at pos 0. */
  reset(): void {
    this.keyCache.fill(0);
    this.valueCache.fill(0);
  }

  /**
   * Writes one cached position directly: key and value rows [nKvHeads*headDim] of `layer` at `pos` (RoPE
   * already applied to the key). For checks that start from a given cache instead of a prompt.
   */
  setCacheEntry(layer: number, pos: number, key: Float32Array, value: Float32Array): void {
    const kvDim = this.config.nKvHeads * this.config.headDim;
    const off = (layer * this.config.seqLen + pos) * kvDim;
    this.keyCache.set(key, off);
    this.valueCache.set(value, off);
  }

  /**
   * Runs `token` at position `pos` (positions 0..pos-1 must already be in the KV cache) and returns a fresh
   * copy of the logits [vocab].
   */
  forward(token: number, pos: number): Float32Array {
    const c = this.config;
    const w = this.w;
    invariant(Number.isInteger(token) && token >= 0 && token < c.vocabSize, `token ${token} outside vocab [0, ${c.vocabSize})`);
    invariant(Number.isInteger(pos) && pos >= 0 && pos < c.seqLen, `position ${pos} outside context [0, ${c.seqLen})`);
    const { dim, hiddenDim, headDim, nHeads, seqLen } = c;
    const kvDim = c.nKvHeads * headDim;
    const qDim = nHeads * headDim;
    const kvMul = nHeads / c.nKvHeads; // query heads per kv head
    const scale32 = f32(Math.sqrt(headDim)); // sqrtf(head_size)
    const { x, xb, xb2, hb, hb2, q, att, headAcc, keyCache, valueCache } = this;

    // copy the token embedding into x: [dim]
    x.set(w.tokenEmbedding.subarray(token * dim, (token + 1) * dim));

    // this position's rotation of every pair: [headDim/2]
    ropeRotation(this.freqs, pos, this.ropeCos, this.ropeSin);

    // forward all the layers
    for (let l = 0; l < c.nLayers; l++) {
      const lw = w.layers[l];

      // attention rmsnorm: xb[dim] = rmsnorm(x) * attn_norm
      rmsnorm(xb, x, lw.attnNorm, dim, this.eps32);

      // this position's key and value rows of the cache: [kvDim] each, at [l, pos, :]
      const layerOff = l * seqLen * kvDim;
      const kRow = keyCache.subarray(layerOff + pos * kvDim, layerOff + (pos + 1) * kvDim);
      const vRow = valueCache.subarray(layerOff + pos * kvDim, layerOff + (pos + 1) * kvDim);

      // qkv matmuls: q[qDim] = wq[qDim, dim] @ xb; k, v [kvDim] = wk, wv [kvDim, dim] @ xb
      matmul(q, xb, lw.wq, dim, qDim);
      matmul(kRow, xb, lw.wk, dim, kvDim);
      matmul(vRow, xb, lw.wv, dim, kvDim);

      // RoPE: rotate adjacent pairs of every query head and every key head
      for (let h = 0; h < nHeads; h++) rotateHead(q, h * headDim, this.ropeCos, this.ropeSin);
      for (let h = 0; h < c.nKvHeads; h++) rotateHead(kRow, h * headDim, this.ropeCos, this.ropeSin);

      // multihead attention; query head h reads kv head h / kvMul (grouped-query attention)
      for (let h = 0; h < nHeads; h++) {
        const qOff = h * headDim; // q[h] : [headDim]
        const attOff = h * seqLen; // att[h] : [seqLen], positions 0..pos used
        const kvHeadOff = Math.floor(h / kvMul) * headDim;

        // scores: att[h, t] = q[h] . k[t, kvHead] / sqrt(headDim), t = 0..pos
        for (let t = 0; t <= pos; t++) {
          const kOff = layerOff + t * kvDim + kvHeadOff;
          let score = 0;
          for (let i = 0; i < headDim; i++) score += q[qOff + i] * keyCache[kOff + i];
          att[attOff + t] = f32(score) / scale32;
        }

        // softmax over the pos+1 scores
        softmax(att, attOff, pos + 1);

        // xb[h] : [headDim] = sum_t att[h, t] * v[t, kvHead]
        headAcc.fill(0);
        for (let t = 0; t <= pos; t++) {
          const vOff = layerOff + t * kvDim + kvHeadOff;
          const a = att[attOff + t];
          for (let i = 0; i < headDim; i++) headAcc[i] += a * valueCache[vOff + i];
        }
        for (let i = 0; i < headDim; i++) xb[qOff + i] = headAcc[i];
      }

      // output projection: xb2[dim] = wo[dim, qDim] @ xb[qDim]
      matmul(xb2, xb, lw.wo, qDim, dim);

      // residual connection back into x
      for (let i = 0; i < dim; i++) x[i] += xb2[i];

      // ffn rmsnorm: xb[dim] = rmsnorm(x) * ffn_norm
      rmsnorm(xb, x, lw.ffnNorm, dim, this.eps32);

      // hb[hidden] = w1 @ xb (gate), hb2[hidden] = w3 @ xb (up)
      matmul(hb, xb, lw.w1, dim, hiddenDim);
      matmul(hb2, xb, lw.w3, dim, hiddenDim);

      // SwiGLU: hb = silu(hb) * hb2, silu(v) = v * sigmoid(v)
      for (let i = 0; i < hiddenDim; i++) {
        const v = hb[i];
        hb[i] = f32(v * f32(1 / (1 + f32(Math.exp(-v))))) * hb2[i];
      }

      // down projection: xb[dim] = w2[dim, hidden] @ hb[hidden]
      matmul(xb, hb, lw.w2, hiddenDim, dim);

      // residual connection
      for (let i = 0; i < dim; i++) x[i] += xb[i];
    }

    // final rmsnorm: x[dim] = rmsnorm(x) * output_norm
    rmsnorm(x, x, w.finalNorm, dim, this.eps32);

    // classifier into logits: [vocab] = output[vocab, dim] @ x
    matmul(this.logits, x, w.classifier, dim, c.vocabSize);
    return this.logits.slice();
  }
}
