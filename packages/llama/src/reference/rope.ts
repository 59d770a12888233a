// Rotary position embedding on adjacent pairs (llama2.c / GGUF convention): the per-pair frequencies, Llama 3
// frequency scaling (Meta's apply_scaling) or GGUF's per-pair divisors, and the rotation of one head vector.
import { baseRopeFrequencies } from '../model/rope-factors.js';
import type { LlamaConfig, RopeScaling } from '../model/types.js';

const f32 = Math.fround;

/**
 * Inverse frequencies of the headDim/2 pairs of one head, float32 like run.c:
 * freq[p] = 1.0f / powf(theta, (2p) / (float)headDim), then Llama 3 scaling when config.ropeScaling is set,
 * or freq[p] / ropeFreqFactors[p] (one float32 division, as llama.cpp's theta / freq_factors[i]) when the
 * config carries GGUF's per-pair factors. Both engines take their frequencies from here. Returns [headDim / 2].
 */
export function ropeFrequencies(config: LlamaConfig): Float32Array {
  const freqs = baseRopeFrequencies(config.headDim, config.ropeTheta); // [headDim/2]
  if (config.ropeScaling !== undefined) applyLlama3Scaling(freqs, config.ropeScaling);
  const factors = config.ropeFreqFactors;
  if (factors !== undefined) for (let p = 0; p < freqs.length; p++) freqs[p] = freqs[p] / factors[p];
  return freqs;
}

/**
 * Meta's Llama 3.1 apply_scaling, in place: wavelengths shorter than original/highFreqFactor keep their
 * frequency, longer than original/lowFreqFactor are divided by factor, and the band between is blended.
 * Computed in double, rounded to float32 once per frequency.
 */
export function applyLlama3Scaling(freqs: Float32Array, scaling: RopeScaling): void {
  const { factor, lowFreqFactor, highFreqFactor, originalMaxPositionEmbeddings: oldContext } = scaling;
  const lowFreqWavelen = oldContext / lowFreqFactor;
  const highFreqWavelen = oldContext / highFreqFactor;
  for (let p = 0; p < freqs.length; p++) {
    const freq = freqs[p];
    const wavelen = (2 * Math.PI) / freq;
    if (wavelen < highFreqWavelen) continue;
    if (wavelen > lowFreqWavelen) {
      freqs[p] = freq / factor;
    } else {
      const smooth = (oldContext / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
      freqs[p] = ((1 - smooth) * freq) / factor + smooth * freq;
    }
  }
}

/**
 * The rotation of every pair at one position, float32 like run.c: val = pos * freq; (cosf(val), sinf(val)).
 * Writes cos into cos[p] and sin into sin[p]; each is [headDim/2].
 */
export function ropeRotation(freqs: Float32Array, pos: number, cos: Float32Array, sin: Float32Array): void {
  for (let p = 0; p < freqs.length; p++) {
    const val = f32(pos * freqs[p]);
    cos[p] = Math.cos(val);
    sin[p] = Math.sin(val);
  }
}

/** Rotates the adjacent pairs of one head vec[offset .. offset+headDim) by the position's (cos, sin). */
export function rotateHead(vec: Float32Array, offset: number, cos: Float32Array, sin: Float32Array): void {
  for (let p = 0; p < cos.length; p++) {
    const i = offset + 2 * p;
    const v0 = vec[i];
    const v1 = vec[i + 1];
    const fcr = cos[p];
    const fci = sin[p];
    vec[i] = v0 * fcr - v1 * fci;
    vec[i + 1] = v0 * fci + v1 * fcr;
  }
}
