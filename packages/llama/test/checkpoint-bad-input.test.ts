// Corrupt or unsupported checkpoints are rejected with a stable error code and a message naming the file,
// before any allocation sized by the corrupt field (an absurd size must not surface as a RangeError).

import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { loadModel, writeHfDirectory } from '../src/checkpoint/index.js';
import { STORIES_BIN, STORIES_GGUF, afterName, expectWaferError, tempDir, tensorInfoOffsets } from './checkpoint-fixtures.js';

const tmp = tempDir();
afterAll(tmp.remove);

/** Writes a patched copy of `source` and returns its path. */
function patched(source: string, name: string, patch: (bytes: Buffer) => Buffer | void): string {
  const bytes = readFileSync(source);
  const path = join(tmp.dir, name);
  writeFileSync(path, patch(bytes) ?? bytes);
  return path;
}

/** A fresh HF directory of stories260K (F32, 2 shards) and its path. */
function hfDirectory(name: string): string {
  const dir = join(tmp.dir, name);
  writeHfDirectory(dir, loadModel(STORIES_BIN), { shards: 2, dtype: 'F32' });
  return dir;
}

describe('bad checkpoints', () => {
  it('missing path → FILE_NOT_FOUND', () => {
    const path = join(tmp.dir, 'nope.bin');
    expectWaferError(() => loadModel(path), 'FILE_NOT_FOUND', path);
  });

  it('truncated .bin → FILE_TRUNCATED with the expected size', () => {
    const path = patched(STORIES_BIN, 'truncated.bin', (b) => b.subarray(0, 500_000));
    expectWaferError(() => loadModel(path), 'FILE_TRUNCATED', path, '1056540', '500000');
  });

  it('GGUF truncated inside its metadata → FILE_TRUNCATED naming the field', () => {
    const path = patched(STORIES_GGUF, 'truncated-meta.gguf', (b) => b.subarray(0, 2000));
    expectWaferError(() => loadModel(path), 'FILE_TRUNCATED', path, 'tokenizer.ggml.tokens');
  });

  it('GGUF truncated inside its tensor data → FILE_TRUNCATED naming the tensor', () => {
    const path = patched(STORIES_GGUF, 'truncated-data.gguf', (b) => b.subarray(0, b.length - 1000));
    expectWaferError(() => loadModel(path), 'FILE_TRUNCATED', path, 'data of tensor blk.4.ffn_up.weight');
  });

  it('wrong magic (XXXX) → read as .bin, BAD_HEADER saying it is neither GGUF nor llama2.c', () => {
    const path = patched(STORIES_GGUF, 'xxxx.gguf', (b) => void b.write('XXXX', 0, 'ascii'));
    expectWaferError(() => loadModel(path), 'BAD_HEADER', path, 'GGUF magic', '"XXXX"', 'llama2.c', 'dim = 1482184792');
  });

  it('.bin longer than its header implies → BAD_HEADER', () => {
    const path = patched(STORIES_BIN, 'longer.bin', (b) => Buffer.concat([b, Buffer.alloc(4)]));
    expectWaferError(() => loadModel(path), 'BAD_HEADER', path, 'implies 1056540 bytes', 'file has 1056544');
  });

  it('.bin header claiming more layers than the file holds → FILE_TRUNCATED', () => {
    const path = patched(STORIES_BIN, 'six-layers.bin', (b) => void b.writeInt32LE(6, 8));
    expectWaferError(() => loadModel(path), 'FILE_TRUNCATED', path, 'n_layers 6');
  });

  it('.bin with n_heads not dividing dim → BAD_HEADER', () => {
    const path = patched(STORIES_BIN, 'seven-heads.bin', (b) => void b.writeInt32LE(7, 12));
    expectWaferError(() => loadModel(path), 'BAD_HEADER', path, 'dim = 64 is not divisible by n_heads = 7');
  });

  it('GGUF tensor of an unsupported dtype → UNSUPPORTED naming tensor and dtype', () => {
    const path = patched(STORIES_GGUF, 'q8_1.gguf', (b) => void b.writeUInt32LE(9, tensorInfoOffsets(b, 'blk.0.attn_q.weight').type));
    expectWaferError(() => loadModel(path), 'UNSUPPORTED', path, 'blk.0.attn_q.weight', 'Q8_1');
  });

  it('safetensors tensor of an unsupported dtype → UNSUPPORTED naming tensor and dtype', () => {
    const dir = hfDirectory('i64-hf');
    const index = JSON.parse(readFileSync(join(dir, 'model.safetensors.index.json'), 'utf8'));
    const name = 'model.layers.0.mlp.up_proj.weight';
    const shard = join(dir, index.weight_map[name]);
    patched(shard, index.weight_map[name], (b) => {
      const at = b.indexOf('"dtype":"F32"', b.indexOf(`"${name}"`));
      b.write('"dtype":"I64"', at, 'ascii');
    });
    copyFileSync(join(tmp.dir, index.weight_map[name]), shard);
    expectWaferError(() => loadModel(dir), 'UNSUPPORTED', shard, name, 'I64');
  });

  it('GGUF without one of the layer tensors → MISSING_TENSOR', () => {
    const path = patched(STORIES_GGUF, 'renamed.gguf', (b) => {
      const end = afterName(b, 'blk.4.ffn_up.weight');
      b.write('uq', end - 'p.weight'.length - 1, 'ascii'); // blk.4.ffn_up → blk.4.ffn_uq
    });
    expectWaferError(() => loadModel(path), 'MISSING_TENSOR', path, 'blk.4.ffn_up.weight');
  });

  it('HF index without one of the layer tensors → MISSING_TENSOR', () => {
    const dir = hfDirectory('missing-hf');
    const indexPath = join(dir, 'model.safetensors.index.json');
    const index = JSON.parse(readFileSync(indexPath, 'utf8'));
    delete index.weight_map['model.layers.2.mlp.down_proj.weight'];
    writeFileSync(indexPath, JSON.stringify(index));
    expectWaferError(() => loadModel(dir), 'MISSING_TENSOR', dir, 'model.layers.2.mlp.down_proj.weight');
  });

  it('GGUF embedding_length 2^31 → BAD_HEADER before allocation', () => {
    const path = patched(STORIES_GGUF, 'huge-dim.gguf', (b) => void b.writeUInt32LE(2 ** 31, afterName(b, 'llama.embedding_length') + 4));
    expectWaferError(() => loadModel(path), 'BAD_HEADER', path, 'llama.embedding_length = 2147483648');
  });

  it('GGUF tensor with a 2^31-wide dim → BAD_HEADER before allocation', () => {
    const path = patched(STORIES_GGUF, 'huge-tensor.gguf', (b) => {
      b.writeBigUInt64LE(2n ** 31n, tensorInfoOffsets(b, 'blk.2.ffn_gate.weight').dims + 8); // ne1 (rows)
    });
    expectWaferError(() => loadModel(path), 'BAD_HEADER', path, 'blk.2.ffn_gate.weight', '2147483648');
  });

  it('GGUF tensor with a 2^60 element count → BAD_HEADER before allocation', () => {
    const path = patched(STORIES_GGUF, 'absurd-tensor.gguf', (b) => {
      const { dims } = tensorInfoOffsets(b, 'token_embd.weight');
      b.writeBigUInt64LE(2n ** 30n, dims);
      b.writeBigUInt64LE(2n ** 30n, dims + 8);
    });
    expectWaferError(() => loadModel(path), 'BAD_HEADER', path, 'token_embd.weight');
  });

  it('.bin with dim 2^30 → BAD_HEADER before allocation', () => {
    const path = patched(STORIES_BIN, 'huge-dim.bin', (b) => void b.writeInt32LE(2 ** 30, 0));
    expectWaferError(() => loadModel(path), 'BAD_HEADER', path, 'dim = 1073741824');
  });

  it('HF config hidden_size 2^31 → BAD_HEADER naming config.json', () => {
    const dir = hfDirectory('huge-hf');
    const configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify({ ...JSON.parse(readFileSync(configPath, 'utf8')), hidden_size: 2 ** 31 }));
    expectWaferError(() => loadModel(dir), 'BAD_HEADER', configPath, 'hidden_size = 2147483648');
  });

  it('GGUF of another architecture → UNSUPPORTED naming it', () => {
    const path = patched(STORIES_GGUF, 'gemma.gguf', (b) => void b.write('gemma', afterName(b, 'general.architecture') + 4 + 8, 'ascii'));
    expectWaferError(() => loadModel(path), 'UNSUPPORTED', path, '"gemma"');
  });
});
