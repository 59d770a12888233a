// Writer of real Hugging Face Llama directories: config.json, q/k rows in rotate-half order, and either
// model.safetensors or model-0000i-of-0000N.safetensors shards with model.safetensors.index.json.

import { mkdirSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { WaferError, usageError } from '@wafer/arch';
import type { ModelDescription } from '../model/types.js';
import { float32Bytes, float32ToBfloat16Bytes, float32ToFloat16Bytes } from './dtype-codec.js';
import { hfConfigJson } from './hf-config.js';
import { HF_INDEX_FILE, HF_SINGLE_FILE } from './hf-dir.js';
import { hfTensorName } from './hf-names.js';
import { checkModelDescription, expectedTensorShapes } from './model-check.js';
import { adjacentToRotateHalfRows } from './rope-permute.js';
import { writeSafetensors, type SafetensorsDtype, type SafetensorsOutput } from './safetensors.js';

export interface WriteHfOptions {
  /** Number of safetensors files; 1 writes model.safetensors without an index, like transformers. */
  shards: number;
  dtype: SafetensorsDtype;
  /** Contents of tokenizer.json to write beside the weights. */
  tokenizerJson?: string;
}

const TORCH_DTYPES: Record<SafetensorsDtype, string> = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' };

/**
 * Writes `model` as a Hugging Face directory `dir` (created; it must not already hold files). Tensors go in
 * transformers' order (embed_tokens, layers, norm, lm_head); lm_head is omitted and tie_word_embeddings set
 * when the classifier is shared.
 */
export function writeHfDirectory(dir: string, model: ModelDescription, options: WriteHfOptions): void {
  const c = model.config;
  checkModelDescription(model);
  if (c.ropeFreqFactors) {
    throw new WaferError('UNSUPPORTED', `cannot write ${dir} as a Hugging Face directory: per-pair RoPE factors (GGUF rope_freqs) have no config.json form`);
  }
  if (existsSync(dir) && readdirSync(dir).length > 0) throw usageError(`output directory ${dir} is not empty`);
  const names = [...expectedTensorShapes(c).keys()].filter((n) => n !== 'output' && n !== 'output_norm');
  names.push('output_norm');
  if (!c.sharedClassifier) names.push('output');
  if (!Number.isInteger(options.shards) || options.shards < 1 || options.shards > names.length) {
    throw usageError(`shard count ${options.shards} must be an integer in 1..${names.length} (the number of tensors)`);
  }

  const outputs: SafetensorsOutput[] = names.map((name) => {
    const tensor = model.tensors.get(name)!;
    const data = name.endsWith('.attn_q')
      ? adjacentToRotateHalfRows(tensor.data, c.nHeads, c.headDim)
      : name.endsWith('.attn_k')
        ? adjacentToRotateHalfRows(tensor.data, c.nKvHeads, c.headDim)
        : tensor.data;
    return { name: hfTensorName(name), dtype: options.dtype, shape: tensor.shape, bytes: encode(data, options.dtype) };
  });

  mkdirSync(dir, { recursive: true });
  const configJson = hfConfigJson(c, model.bosId, model.eosId, TORCH_DTYPES[options.dtype]);
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(configJson, null, 2)}\n`);
  if (options.tokenizerJson !== undefined) writeFileSync(join(dir, 'tokenizer.json'), options.tokenizerJson);
  if (options.shards === 1) {
    writeSafetensors(join(dir, HF_SINGLE_FILE), outputs);
    return;
  }
  const weightMap: Record<string, string> = {};
  const groups = splitBalanced(outputs, options.shards);
  for (const [i, group] of groups.entries()) {
    const fileName = `model-${pad5(i + 1)}-of-${pad5(groups.length)}.safetensors`;
    writeSafetensors(join(dir, fileName), group);
    for (const t of group) weightMap[t.name] = fileName;
  }
  const totalSize = outputs.reduce((sum, t) => sum + t.bytes.length, 0);
  writeFileSync(join(dir, HF_INDEX_FILE), `${JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }, null, 2)}\n`);
}

function encode(data: Float32Array, dtype: SafetensorsDtype): Uint8Array {
  if (dtype === 'F32') return float32Bytes(data);
  if (dtype === 'F16') return float32ToFloat16Bytes(data);
  if (dtype === 'BF16') return float32ToBfloat16Bytes(data);
  throw new WaferError('UNSUPPORTED', `safetensors dtype ${String(dtype)} is not one of F32, F16, BF16`);
}

/** Splits tensors, in order, into `count` non-empty groups of roughly equal byte size. */
function splitBalanced(tensors: SafetensorsOutput[], count: number): SafetensorsOutput[][] {
  const total = tensors.reduce((sum, t) => sum + t.bytes.length, 0);
  const groups: SafetensorsOutput[][] = [];
  let start = 0;
  let cumulative = 0; // bytes of tensors[0..end)
  for (let g = 0; g < count; g++) {
    const lastEnd = g === count - 1 ? tensors.length : tensors.length - (count - g - 1); // one tensor per later group
    const target = (total * (g + 1)) / count;
    let end = start + 1;
    cumulative += tensors[start].bytes.length;
    while (end < lastEnd && (g === count - 1 || cumulative + tensors[end].bytes.length <= target)) cumulative += tensors[end++].bytes.length;
    groups.push(tensors.slice(start, end));
    start = end;
  }
  return groups;
}

function pad5(n: number): string {
  return String(n).padStart(5, '0');
}
