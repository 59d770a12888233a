// A Hugging Face directory written from stories260K (sharded, F32) loads back bit-identical to the .bin:
// the q/k rows are written in HF's rotate-half order (checked on the raw shard bytes) and un-permuted on load.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel, writeHfDirectory } from '../src/checkpoint/index.js';
import { STORIES_BIN, STORIES_GGUF, STORIES_SHAPE, expectSameTensors, tempDir } from './checkpoint-fixtures.js';

const tmp = tempDir();
afterAll(tmp.remove);
const bin = loadModel(STORIES_BIN);

/** Reads one F32 tensor straight from a safetensors file, independently of src/: [rows, cols] row-major. */
function rawSafetensor(dir: string, name: string): { shape: number[]; data: Float32Array } {
  const index = JSON.parse(readFileSync(join(dir, 'model.safetensors.index.json'), 'utf8'));
  const bytes = readFileSync(join(dir, index.weight_map[name]));
  const headerBytes = Number(bytes.readBigUInt64LE(0));
  const entry = JSON.parse(bytes.subarray(8, 8 + headerBytes).toString('utf8'))[name];
  expect(entry.dtype).toBe('F32');
  const [begin, end] = entry.data_offsets;
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset + 8 + headerBytes + begin, bytes.byteOffset + 8 + headerBytes + end));
  return { shape: entry.shape, data };
}

describe('Hugging Face directory round trip', () => {
  const dir = join(tmp.dir, 'stories260K-hf');
  writeHfDirectory(dir, bin, { shards: 3, dtype: 'F32', tokenizerJson: '{}' });

  it('writes a sharded HF layout with a tied classifier', () => {
    const shards = ['model-00001-of-00003.safetensors', 'model-00002-of-00003.safetensors', 'model-00003-of-00003.safetensors'];
    for (const file of ['config.json', 'tokenizer.json', 'model.safetensors.index.json', ...shards]) {
      expect(existsSync(join(dir, file)), file).toBe(true);
    }
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ architectures: ['LlamaForCausalLM'], hidden_size: 64, num_key_value_heads: 4, tie_word_embeddings: true });
    const index = JSON.parse(readFileSync(join(dir, 'model.safetensors.index.json'), 'utf8'));
    expect(new Set(Object.values(index.weight_map)).size).toBe(3);
    expect(index.weight_map['lm_head.weight']).toBeUndefined();
  });

  it('stores q_proj/k_proj rows in rotate-half order: HF row h·hd+i is pair member 2i, row h·hd+hd/2+i is 2i+1', () => {
    const { headDim: hd, nHeads, nKvHeads, dim } = STORIES_SHAPE;
    const cases = [
      ['model.layers.1.self_attn.q_proj.weight', 'blk.1.attn_q', nHeads],
      ['model.layers.3.self_attn.k_proj.weight', 'blk.3.attn_k', nKvHeads],
    ] as const;
    for (const [hfName, ours, heads] of cases) {
      const hf = rawSafetensor(dir, hfName);
      const adjacent = bin.tensors.get(ours)!.data;
      expect(hf.shape).toEqual([heads * hd, dim]);
      expect(hf.data).not.toEqual(adjacent);
      const row = (data: Float32Array, r: number) => Array.from(data.subarray(r * dim, (r + 1) * dim));
      for (let h = 0; h < heads; h++) {
        for (let i = 0; i < hd / 2; i++) {
          expect(row(hf.data, h * hd + i)).toEqual(row(adjacent, h * hd + 2 * i));
          expect(row(hf.data, h * hd + hd / 2 + i)).toEqual(row(adjacent, h * hd + 2 * i + 1));
        }
      }
    }
  });

  it('loads back bit-identical to the .bin, with the same config', () => {
    const back = loadModel(dir);
    expect(back.format).toBe('safetensors');
    expect(back.config).toEqual(bin.config);
    expectSameTensors(back, bin);
    expect(back.tensors.get('output')!.data).toBe(back.tensors.get('token_embd')!.data);
    expect([back.bosId, back.eosId, back.stopOnBos]).toEqual([1, 2, false]);
    expect(back.tokenizer).toEqual({ kind: 'hf-json', path: join(dir, 'tokenizer.json') });
  });

  it('keeps a separate classifier as lm_head (single-file layout)', () => {
    const gguf = loadModel(STORIES_GGUF);
    const single = join(tmp.dir, 'separate-hf');
    writeHfDirectory(single, gguf, { shards: 1, dtype: 'F32' });
    expect(existsSync(join(single, 'model.safetensors'))).toBe(true);
    const back = loadModel(single);
    expect(back.config.sharedClassifier).toBe(false);
    expectSameTensors(back, gguf);
    expect(back.tokenizer).toBeUndefined();
  });
});
