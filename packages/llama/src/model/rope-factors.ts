// RoPE frequency helpers shared by the reference pass and the checkpoint writers: the base per-pair
// frequencies, and Llama 3 scaling expressed as per-pair divisors (GGUF's rope_freqs tensor).
import type { LlamaConfig, RopeScaling } from './types.js';

const f32 = Math.fround;

/**
 * Base inverse frequencies of the headDim/2 pairs of one head, float32 like run.c:
 * freq[p] = 1.0f / powf(theta, (2p) / (float)headDim). Returns [headDim / 2].
 */
export function baseRopeFrequencies(headDim: number, theta: number): Float32Array {
  const theta32 = f32(theta);
  const freqs = new Float32Array(headDim / 2); // [headDim/2]
  for (let p = 0; p < freqs.length; p++) {
    const exponent = f32((2 * p) / headDim);
    freqs[p] = f32(1 / f32(Math.pow(theta32, exponent)));
  }
  return freqs;
}

/**
 * Llama 3 scaling as the divisor of each pair's frequency, the way llama.cpp's converter writes
 * rope_freqs.weight: 1 for wavelengths shorter than original/highFreqFactor, `factor` for those longer
 * than original/lowFreqFactor, and 1 / ((1 − smooth)/factor + smooth) between. Returns [headDim / 2].
 */
export function llama3FreqFactors(config: Pick<LlamaConfig, 'headDim' | 'ropeTheta'>, scaling: RopeScaling): Float32Array {
  const { factor, lowFreqFactor, highFreqFactor, originalMaxPositionEmbeddings: oldContext } = scaling;
  const lowFreqWavelen = oldContext / lowFreqFactor;
  const highFreqWavelen = oldContext / highFreqFactor;
  return baseRopeFrequencies(config.headDim, config.ropeTheta).map((freq) => {
    const wavelen = (2 * Math.PI) / freq;
    if (wavelen < highFreqWavelen) return 1;
    if (wavelen > lowFreqWavelen) return factor;
    const smooth = (oldContext / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
    return 1 / ((1 - smooth) / factor + smooth);
  });
}

/** The per-pair divisors a GGUF file stores for `config`: its own, or its Llama 3 scaling's, or none. */
export function ropeFreqFactorsOf(config: LlamaConfig): Float32Array | undefined {
  if (config.ropeFreqFactors !== undefined) return config.ropeFreqFactors;
  return config.ropeScaling === undefined ? undefined : llama3FreqFactors(config, config.ropeScaling);
}
