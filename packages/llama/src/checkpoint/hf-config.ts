// Hugging Face `config.json` of a Llama model: parsed into a LlamaConfig (with transformers' LlamaConfig
// defaults for absent optional keys) and written back from one.

import { WaferError } from '@wafer/arch';
import type { LlamaConfig, RopeScaling } from '../model/types.js';
import { readFileBytes } from './file-bytes.js';
import { checkFloatFields, checkShapeFields, type ShapeFields } from './model-check.js';

/** transformers' LlamaConfig defaults, used only when config.json omits the key. */
const HF_DEFAULTS = { rmsNormEps: 1e-6, ropeTheta: 10000, bos: 1, eos: 2 } as const;

const CONFIG_KEYS: Record<keyof ShapeFields, string> = {
  dim: 'hidden_size',
  hiddenDim: 'intermediate_size',
  nLayers: 'num_hidden_layers',
  nHeads: 'num_attention_heads',
  nKvHeads: 'num_key_value_heads',
  vocabSize: 'vocab_size',
  seqLen: 'max_position_embeddings',
};

/** What config.json says beyond LlamaConfig: the special token ids and whether embeddings are tied. */
export interface HfConfig {
  config: Omit<LlamaConfig, 'sharedClassifier'>;
  tieWordEmbeddings: boolean;
  bosId: number;
  eosId: number;
}

/**
 * Reads and validates `config.json` (`path` names it in errors). `eos_token_id` may be a list (Llama 3
 * instruct models list several); the first is used as eosId. Unsupported variants (non-SiLU activation,
 * biases, other RoPE scaling types, a head_dim that is not hidden_size / num_attention_heads) are UNSUPPORTED.
 */
export function readHfConfig(path: string): HfConfig {
  return parseHfConfig(readFileBytes(path, 'Hugging Face config'), path);
}

/** readHfConfig of the bytes of a config.json read from `path`. A pure function of its bytes; throws only WaferErrors. */
export function parseHfConfig(bytes: Uint8Array, path: string): HfConfig {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new WaferError('BAD_HEADER', `${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new WaferError('BAD_HEADER', `${path} is not a JSON object`);
  const raw = json as Record<string, unknown>;
  const unsupported = (what: string): never => {
    throw new WaferError('UNSUPPORTED', `${path}: ${what}`);
  };
  const architectures = Array.isArray(raw.architectures) ? raw.architectures : [];
  if (!architectures.includes('LlamaForCausalLM') && raw.model_type !== 'llama') {
    unsupported(`architectures ${JSON.stringify(raw.architectures)} / model_type ${JSON.stringify(raw.model_type)} is not a Llama model`);
  }
  if (raw.hidden_act !== undefined && raw.hidden_act !== 'silu') unsupported(`hidden_act "${String(raw.hidden_act)}" is not silu`);
  if (raw.attention_bias === true || raw.mlp_bias === true) unsupported('attention_bias / mlp_bias are not supported');

  const int = (key: string): number => raw[key] as number; // checkShapeFields rejects non-integers
  const fields: ShapeFields = {
    dim: int('hidden_size'),
    hiddenDim: int('intermediate_size'),
    nLayers: int('num_hidden_layers'),
    nHeads: int('num_attention_heads'),
    nKvHeads: raw.num_key_value_heads == null ? int('num_attention_heads') : int('num_key_value_heads'),
    vocabSize: int('vocab_size'),
    seqLen: int('max_position_embeddings'),
  };
  checkShapeFields(fields, path, CONFIG_KEYS);
  const headDim = fields.dim / fields.nHeads;
  if (raw.head_dim != null && raw.head_dim !== headDim) {
    unsupported(`head_dim ${String(raw.head_dim)} is not hidden_size / num_attention_heads = ${headDim}`);
  }

  const config = {
    ...fields,
    headDim,
    normEps: numberOr(raw, 'rms_norm_eps', HF_DEFAULTS.rmsNormEps, path),
    ropeTheta: numberOr(raw, 'rope_theta', HF_DEFAULTS.ropeTheta, path),
    ...ropeScalingOf(raw.rope_scaling, path),
  };
  checkFloatFields(config, path);
  const eos = Array.isArray(raw.eos_token_id) ? raw.eos_token_id[0] : raw.eos_token_id;
  return {
    config,
    tieWordEmbeddings: raw.tie_word_embeddings === true,
    bosId: tokenId(raw.bos_token_id, HF_DEFAULTS.bos, 'bos_token_id', path),
    eosId: tokenId(eos, HF_DEFAULTS.eos, 'eos_token_id', path),
  };
}

function numberOr(raw: Record<string, unknown>, key: string, fallback: number, path: string): number {
  const value = raw[key];
  if (value == null) return fallback;
  if (typeof value !== 'number') throw new WaferError('BAD_HEADER', `${path}: ${key} is ${JSON.stringify(value)}, not a number`);
  return value;
}

function tokenId(value: unknown, fallback: number, key: string, path: string): number {
  if (value == null) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new WaferError('BAD_HEADER', `${path}: ${key} ${JSON.stringify(value)} is not a token id`);
  }
  return value as number;
}

function ropeScalingOf(value: unknown, path: string): { ropeScaling?: RopeScaling } {
  if (value == null) return {};
  const raw = value as Record<string, unknown>;
  const type = raw.rope_type ?? raw.type;
  if (type === 'default') return {};
  if (type !== 'llama3') throw new WaferError('UNSUPPORTED', `${path}: rope_scaling type ${JSON.stringify(type)} is not supported (only llama3)`);
  const need = (key: string): number => {
    const v = raw[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new WaferError('BAD_HEADER', `${path}: rope_scaling.${key} ${JSON.stringify(v)} is not a positive number`);
    }
    return v;
  };
  return {
    ropeScaling: {
      type: 'llama3',
      factor: need('factor'),
      lowFreqFactor: need('low_freq_factor'),
      highFreqFactor: need('high_freq_factor'),
      originalMaxPositionEmbeddings: need('original_max_position_embeddings'),
    },
  };
}

/** The config.json object for a model written in `torchDtype` ('float32' | 'float16' | 'bfloat16'). */
export function hfConfigJson(config: LlamaConfig, bosId: number, eosId: number, torchDtype: string): Record<string, unknown> {
  const scaling = config.ropeScaling;
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: config.dim,
    intermediate_size: config.hiddenDim,
    num_hidden_layers: config.nLayers,
    num_attention_heads: config.nHeads,
    num_key_value_heads: config.nKvHeads,
    head_dim: config.headDim,
    vocab_size: config.vocabSize,
    max_position_embeddings: config.seqLen,
    rms_norm_eps: config.normEps,
    rope_theta: config.ropeTheta,
    rope_scaling: scaling
      ? {
          rope_type: 'llama3',
          factor: scaling.factor,
          low_freq_factor: scaling.lowFreqFactor,
          high_freq_factor: scaling.highFreqFactor,
          original_max_position_embeddings: scaling.originalMaxPositionEmbeddings,
        }
      : null,
    hidden_act: 'silu',
    attention_bias: false,
    mlp_bias: false,
    tie_word_embeddings: config.sharedClassifier,
    bos_token_id: bosId,
    eos_token_id: eosId,
    torch_dtype: torchDtype,
  };
}
