// Reader of Hugging Face Llama model directories: config.json plus model.safetensors or the shards listed
// in model.safetensors.index.json. q_proj/k_proj rows are converted from rotate-half to adjacent pairs.

import { existsSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import { WaferError } from '@wafer/arch';
import type { ModelDescription, Tensor } from '../model/types.js';
import { fileSizeBytes, readFileBytes } from './file-bytes.js';
import { findHfChatTemplate } from './hf-chat-template.js';
import { readHfConfig } from './hf-config.js';
import { hfTensorName, isDerivedHfBuffer, ourTensorName } from './hf-names.js';
import { checkTensorShapes } from './model-check.js';
import { rotateHalfToAdjacentRows } from './rope-permute.js';
import { checkSafetensorsDtype, decodeSafetensor, parseSafetensors, type SafetensorsEntry, type SafetensorsFile } from './safetensors.js';
import { findHfTokenizer, tokenizerFromPath } from './tokenizer-source.js';

export const HF_INDEX_FILE = 'model.safetensors.index.json';
export const HF_SINGLE_FILE = 'model.safetensors';

interface Located {
  file: SafetensorsFile;
  entry: SafetensorsEntry;
}

/**
 * Reads a Hugging Face Llama directory. `lm_head.weight` absent, or tie_word_embeddings true, means the
 * classifier shares the embedding. Names, shapes and dtypes are all checked before any tensor is decoded.
 * The tokenizer is `tokenizerPath`, else `tokenizer.json` in the directory, else undefined.
 */
export function readHfDirectory(dir: string, options: { tokenizerPath?: string } = {}): ModelDescription {
  const configPath = join(dir, 'config.json');
  fileSizeBytes(configPath, 'Hugging Face config');
  const hf = readHfConfig(configPath);

  const located = new Map<string, Located>(); // by our tensor name
  for (const [hfName, place] of locateTensors(dir)) {
    if (isDerivedHfBuffer(hfName)) continue;
    const name = ourTensorName(hfName) ?? hfName;
    if (name === 'output' && hf.tieWordEmbeddings) continue; // tied: transformers ignores the stored copy
    located.set(name, place);
  }
  const config = { ...hf.config, sharedClassifier: !located.has('output') };
  const shapes = new Map([...located].map(([name, { entry }]) => [name, entry.shape]));
  checkTensorShapes(shapes, config, dir, (name) => locatedName(located, name));
  for (const { file, entry } of located.values()) checkSafetensorsDtype(file, entry);

  const tensors = new Map<string, Tensor>();
  const shardBuffers = new Set([...located.values()].map(({ file }) => file.bytes.buffer));
  let heldBytes = [...shardBuffers].reduce((sum, buffer) => sum + buffer.byteLength, 0); // every shard stays read
  let peakBytes = heldBytes;
  for (const [name, { file, entry }] of located) {
    const { data, sourceDtype } = decodeSafetensor(file, entry);
    const adjacent = unpermuteIfRope(name, data, config.nHeads, config.nKvHeads, config.headDim);
    if (!shardBuffers.has(adjacent.buffer)) heldBytes += adjacent.byteLength;
    const transientBytes = adjacent !== data && !shardBuffers.has(data.buffer) ? data.byteLength : 0; // decoded, then permuted
    peakBytes = Math.max(peakBytes, heldBytes + transientBytes);
    tensors.set(name, { name, shape: entry.shape, data: adjacent, sourceDtype });
  }
  const fileTensors = [...located.values()].map(({ file, entry }) => ({ name: entry.name, dtype: checkSafetensorsDtype(file, entry) }));
  if (config.sharedClassifier) tensors.set('output', { ...tensors.get('token_embd')!, name: 'output' });

  return {
    format: 'safetensors',
    path: dir,
    config,
    tensors,
    tokenizer: options.tokenizerPath ? tokenizerFromPath(options.tokenizerPath) : findHfTokenizer(dir),
    bosId: hf.bosId,
    eosId: hf.eosId,
    stopOnBos: false,
    load: { fileTensors, peakBytes },
    chatTemplate: findHfChatTemplate(dir),
  };
}

/** HF q/k rows are in rotate-half order; everything else is stored as we use it. */
function unpermuteIfRope(name: string, data: Float32Array, nHeads: number, nKvHeads: number, headDim: number): Float32Array {
  if (name.endsWith('.attn_q')) return rotateHalfToAdjacentRows(data, nHeads, headDim);
  if (name.endsWith('.attn_k')) return rotateHalfToAdjacentRows(data, nKvHeads, headDim);
  return data;
}

function locatedName(located: Map<string, Located>, name: string): string {
  const place = located.get(name);
  return place ? `${place.entry.name} (in ${place.file.path})` : hfTensorName(name);
}

/** Every tensor of the checkpoint by HF name, with the parsed shard that holds it. */
function locateTensors(dir: string): Map<string, Located> {
  const indexPath = join(dir, HF_INDEX_FILE);
  const singlePath = join(dir, HF_SINGLE_FILE);
  const located = new Map<string, Located>();
  if (!existsSync(indexPath)) {
    if (!existsSync(singlePath)) {
      const hint = existsSync(join(dir, 'pytorch_model.bin')) ? ' (PyTorch .bin weights are not supported; save them as safetensors)' : '';
      throw new WaferError('FILE_NOT_FOUND', `${dir} has neither ${HF_SINGLE_FILE} nor ${HF_INDEX_FILE}${hint}`);
    }
    const file = parseSafetensors(readFileBytes(singlePath, 'safetensors file'), singlePath);
    for (const entry of file.entries.values()) located.set(entry.name, { file, entry });
    return located;
  }
  const shards = new Map<string, SafetensorsFile>();
  for (const [name, shard] of readWeightMap(indexPath)) {
    let file = shards.get(shard);
    if (!file) {
      const shardPath = join(dir, shard);
      file = parseSafetensors(readFileBytes(shardPath, `shard listed in ${indexPath}`), shardPath);
      shards.set(shard, file);
    }
    const entry = file.entries.get(name);
    if (!entry) throw new WaferError('MISSING_TENSOR', `${file.path}: tensor ${name} listed in ${HF_INDEX_FILE} is not in this shard`);
    located.set(name, { file, entry });
  }
  return located;
}

/** weight_map of an index file: tensor name → shard file name (relative, inside the directory). */
function readWeightMap(indexPath: string): Map<string, string> {
  return parseWeightMap(readFileBytes(indexPath, 'safetensors index'), indexPath);
}

/**
 * The weight_map of a model.safetensors.index.json held in `bytes` (read from `indexPath`): tensor name →
 * shard file name, each a relative path inside the directory. A pure function of its bytes; throws only
 * WaferErrors.
 */
export function parseWeightMap(bytes: Uint8Array, indexPath: string): Map<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new WaferError('BAD_HEADER', `${indexPath} is not valid JSON: ${(err as Error).message}`);
  }
  const weightMap = (json as { weight_map?: unknown } | null)?.weight_map;
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) {
    throw new WaferError('BAD_HEADER', `${indexPath} has no weight_map object`);
  }
  const out = new Map<string, string>();
  for (const [name, shard] of Object.entries(weightMap)) {
    if (typeof shard !== 'string' || isAbsolute(shard) || normalize(shard).startsWith('..')) {
      throw new WaferError('BAD_HEADER', `${indexPath}: weight_map entry ${name} → ${JSON.stringify(shard)} is not a file inside the directory`);
    }
    out.set(name, shard);
  }
  return out;
}
