// Named model shapes for synthetic checkpoints (the llama2.c tinyllamas and a Llama 3.2 1B look-alike) and
// the validation of a shape given flag by flag on the command line.
import { usageError } from '@wafer/arch';
import type { LlamaConfig, RopeScaling } from '../model/types.js';

/** Llama 3.2's rope_scaling block (factor 32, low 1, high 4, original context 8192). */
const LLAMA_32_ROPE_SCALING: RopeScaling = {
  type: 'llama3',
  factor: 32,
  lowFreqFactor: 1,
  highFreqFactor: 4,
  originalMaxPositionEmbeddings: 8192,
};

/** A llama2.c-style shape: theta 10000, eps 1e-5, classifier shared with the embedding. */
function llama2cShape(dim: number, hiddenDim: number, nLayers: number, nHeads: number, nKvHeads: number, vocabSize: number, seqLen: number): LlamaConfig {
  return { dim, hiddenDim, nLayers, nHeads, nKvHeads, headDim: dim / nHeads, vocabSize, seqLen, normEps: 1e-5, ropeTheta: 10000, sharedClassifier: true };
}

/** Every named shape `synthesize` accepts. */
export const SYNTH_SHAPES: Readonly<Record<string, LlamaConfig>> = {
  stories260K: llama2cShape(64, 172, 5, 8, 4, 512, 512),
  stories15M: llama2cShape(288, 768, 6, 6, 6, 32000, 256),
  stories110M: llama2cShape(768, 2048, 12, 12, 12, 32000, 1024),
  // Llama 3.2 1B's widths with a 2048-token context; about 1.24e9 parameters (5 GB of float32).
  'llama-3.2-1b-like': {
    ...llama2cShape(2048, 8192, 16, 32, 8, 128256, 2048),
    ropeTheta: 500000,
    ropeScaling: LLAMA_32_ROPE_SCALING,
  },
  // A few-thousand-parameter GQA model with Llama 3 RoPE scaling, for tests.
  'llama-gqa-tiny': {
    ...llama2cShape(64, 160, 2, 8, 2, 256, 64),
    ropeTheta: 500000,
    ropeScaling: LLAMA_32_ROPE_SCALING,
  },
};

/** The names of SYNTH_SHAPES. */
export const SYNTH_SHAPE_NAMES: readonly string[] = Object.keys(SYNTH_SHAPES);

/** Looks up a named shape; an unknown name is a usage error naming `flag` and listing the known names. */
export function synthShape(name: string, flag = '--shape'): LlamaConfig {
  const shape = Object.hasOwn(SYNTH_SHAPES, name) ? SYNTH_SHAPES[name] : undefined;
  if (shape === undefined) {
    throw usageError(`${flag} ${JSON.stringify(name)} is not a known shape; use one of ${SYNTH_SHAPE_NAMES.join(', ')}`);
  }
  return copyShape(shape);
}

/** A deep copy of a config (ropeScaling and ropeFreqFactors included only when present). */
export function copyShape(shape: LlamaConfig): LlamaConfig {
  const copy: LlamaConfig = { ...shape };
  if (shape.ropeScaling !== undefined) copy.ropeScaling = { ...shape.ropeScaling };
  if (shape.ropeFreqFactors !== undefined) copy.ropeFreqFactors = Float32Array.from(shape.ropeFreqFactors);
  return copy;
}

/** A shape as given on the command line, one flag per field. */
export interface ShapeFlags {
  dim: number; // --dim
  hidden: number; // --hidden
  layers: number; // --layers
  heads: number; // --heads
  kvHeads: number; // --kv-heads
  vocab: number; // --vocab
  seq: number; // --seq
  ropeTheta?: number; // --rope-theta, default 10000
  normEps?: number; // --norm-eps, default 1e-5
}

/** Largest value any integer shape flag may take (2^24); far above every real Llama, far below overflow. */
export const MAX_SHAPE_FLAG = 1 << 24;

function integerFlag(flag: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_SHAPE_FLAG) {
    throw usageError(`${flag} must be an integer in 1..${MAX_SHAPE_FLAG}, got ${String(value)}`);
  }
  return value;
}

function positiveFlag(flag: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw usageError(`${flag} must be a positive number, got ${String(value)}`);
  }
  return value;
}

/**
 * Builds a llama2.c-style LlamaConfig (shared classifier, headDim = dim / heads) from shape flags. Throws a
 * usage error naming the flag for a non-integer or non-positive value, dim % heads != 0,
 * heads % kvHeads != 0, or an odd head size.
 */
export function shapeFromFlags(flags: ShapeFlags): LlamaConfig {
  const dim = integerFlag('--dim', flags.dim);
  const hiddenDim = integerFlag('--hidden', flags.hidden);
  const nLayers = integerFlag('--layers', flags.layers);
  const nHeads = integerFlag('--heads', flags.heads);
  const nKvHeads = integerFlag('--kv-heads', flags.kvHeads);
  const vocabSize = integerFlag('--vocab', flags.vocab);
  const seqLen = integerFlag('--seq', flags.seq);
  const ropeTheta = flags.ropeTheta === undefined ? 10000 : positiveFlag('--rope-theta', flags.ropeTheta);
  const normEps = flags.normEps === undefined ? 1e-5 : positiveFlag('--norm-eps', flags.normEps);
  if (dim % nHeads !== 0) throw usageError(`--dim ${dim} must be divisible by --heads ${nHeads}`);
  if (nHeads % nKvHeads !== 0) throw usageError(`--heads ${nHeads} must be divisible by --kv-heads ${nKvHeads}`);
  if ((dim / nHeads) % 2 !== 0) {
    throw usageError(`--dim ${dim} / --heads ${nHeads} gives head size ${dim / nHeads}; RoPE needs an even head size`);
  }
  return { ...llama2cShape(dim, hiddenDim, nLayers, nHeads, nKvHeads, vocabSize, seqLen), ropeTheta, normEps };
}
