// Shared helpers of the checkpoint tests: bundled model paths, temporary directories, error assertions,
// bit-exact tensor comparison and byte patching of GGUF fields located by their key/name.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { WaferError } from '@wafer/arch';
import type { ModelDescription } from '../src/model/types.js';

const MODELS = fileURLToPath(new URL('../../../models/stories260K/', import.meta.url));
export const STORIES_BIN = join(MODELS, 'stories260K.bin');
export const STORIES_GGUF = join(MODELS, 'stories260K.gguf');
export const STORIES_TOK = join(MODELS, 'tok512.bin');

/** Hyperparameters of stories260K from its .bin header (see models/README.md). */
export const STORIES_SHAPE = { dim: 64, hiddenDim: 172, nLayers: 5, nHeads: 8, nKvHeads: 4, headDim: 8, vocabSize: 512 };

/** A fresh temporary directory and a function that removes it. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'wafer-checkpoint-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Asserts `fn` throws a WaferError with `code` whose message contains every one of `parts`. */
export function expectWaferError(fn: () => unknown, code: string, ...parts: string[]): WaferError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected a WaferError').toBeInstanceOf(WaferError);
  const error = caught as WaferError;
  expect(error.code, error.message).toBe(code);
  for (const part of parts) expect(error.message).toContain(part);
  return error;
}

/** The bit patterns of float32 data (so -0 vs 0 and NaN payloads count as differences). */
export function bits(data: Float32Array): Uint32Array {
  return new Uint32Array(data.buffer, data.byteOffset, data.length);
}

/** Asserts two models hold the same tensor names, shapes and bit-identical data. */
export function expectSameTensors(actual: ModelDescription, expected: ModelDescription): void {
  expect([...actual.tensors.keys()].sort()).toEqual([...expected.tensors.keys()].sort());
  for (const [name, tensor] of expected.tensors) {
    const other = actual.tensors.get(name)!;
    expect(other.shape, name).toEqual(tensor.shape);
    expect(Buffer.from(bits(other.data).buffer, other.data.byteOffset, other.data.byteLength).equals(
      Buffer.from(bits(tensor.data).buffer, tensor.data.byteOffset, tensor.data.byteLength),
    ), `${name} is bit-identical`).toBe(true);
  }
}

/** Byte offset just past the first occurrence of an ASCII key or tensor name (preceded by its u64 length). */
export function afterName(bytes: Buffer, name: string): number {
  const encoded = Buffer.from(name, 'ascii');
  let at = bytes.indexOf(encoded);
  while (at >= 0 && bytes.readBigUInt64LE(at - 8) !== BigInt(encoded.length)) at = bytes.indexOf(encoded, at + 1);
  if (at < 0) throw new Error(`fixture: ${name} not found`);
  return at + encoded.length;
}

/** Offset of the dims of a GGUF tensor info (u32 n_dims, then n_dims × u64) and of its u32 type. */
export function tensorInfoOffsets(bytes: Buffer, tensorName: string): { dims: number; type: number } {
  const nDimsAt = afterName(bytes, tensorName);
  const nDims = bytes.readUInt32LE(nDimsAt);
  return { dims: nDimsAt + 4, type: nDimsAt + 4 + 8 * nDims };
}

/** One encoded GGUF metadata entry: key, value type id and value bytes. */
export type GgufEntryBytes = Buffer;

function entry(key: string, type: number, value: Buffer): GgufEntryBytes {
  const head = Buffer.alloc(8 + key.length + 4);
  head.writeBigUInt64LE(BigInt(key.length), 0);
  head.write(key, 8, 'ascii');
  head.writeUInt32LE(type, 8 + key.length);
  return Buffer.concat([head, value]);
}

/** A GGUF string metadata entry. */
export function stringEntry(key: string, value: string): GgufEntryBytes {
  const v = Buffer.alloc(8 + Buffer.byteLength(value));
  v.writeBigUInt64LE(BigInt(Buffer.byteLength(value)), 0);
  v.write(value, 8, 'utf8');
  return entry(key, 8, v);
}

/** A GGUF float32 metadata entry. */
export function floatEntry(key: string, value: number): GgufEntryBytes {
  const v = Buffer.alloc(4);
  v.writeFloatLE(value, 0);
  return entry(key, 6, v);
}

/**
 * A copy of a GGUF file with `entries` added before its metadata, plus a padding entry so the inserted bytes
 * are a multiple of 32 (the tensor data then moves by whole alignment units and its offsets stay valid).
 */
export function withMetadata(file: Buffer, entries: GgufEntryBytes[]): Buffer {
  const inserted = Buffer.concat(entries);
  const bare = stringEntry('wafer.test.padding', '').length;
  const padded = stringEntry('wafer.test.padding', 'x'.repeat((32 - ((inserted.length + bare) % 32)) % 32));
  const out = Buffer.concat([file.subarray(0, 24), inserted, padded, file.subarray(24)]);
  out.writeBigUInt64LE(file.readBigUInt64LE(16) + BigInt(entries.length + 1), 16); // metadata_kv_count
  return out;
}
