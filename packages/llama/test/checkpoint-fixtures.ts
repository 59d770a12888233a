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
