// The safetensors container: an 8-byte little-endian header length, a JSON header naming each tensor's
// dtype, shape and byte range, then the data. Reading validates every entry against the file size.

import { closeSync, openSync } from 'node:fs';
import { WaferError } from '@wafer/arch';
import type { SourceDtype } from '../model/types.js';
import { bfloat16BytesToFloat32, float16BytesToFloat32, float32FromBytes } from './dtype-codec.js';
import { assertLittleEndianHost, writeAll } from './file-bytes.js';

/** The reference implementation refuses headers larger than this (safetensors' MAX_HEADER_SIZE). */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;

/** Dtypes we decode, with their element sizes. */
export const SAFETENSORS_DTYPE_BYTES = { F32: 4, F16: 2, BF16: 2 } as const;
export type SafetensorsDtype = keyof typeof SAFETENSORS_DTYPE_BYTES;

/** One header entry; `begin`/`end` are absolute byte offsets in the file. */
export interface SafetensorsEntry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

export interface SafetensorsFile {
  path: string;
  bytes: Uint8Array;
  entries: Map<string, SafetensorsEntry>;
}

/** Parses the header of a safetensors file held in `bytes`. Unknown dtypes are kept; decoding rejects them. */
export function parseSafetensors(bytes: Uint8Array, path: string): SafetensorsFile {
  const bad = (code: 'BAD_HEADER' | 'FILE_TRUNCATED', what: string): never => {
    throw new WaferError(code, `${path}: ${what}`);
  };
  if (bytes.length < 8) bad('FILE_TRUNCATED', `${bytes.length} bytes is too short for a safetensors header length`);
  const headerBytes = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerBytes > BigInt(SAFETENSORS_MAX_HEADER_BYTES)) {
    bad('BAD_HEADER', `header length ${headerBytes} exceeds ${SAFETENSORS_MAX_HEADER_BYTES} bytes`);
  }
  const dataStart = 8 + Number(headerBytes);
  if (dataStart > bytes.length) bad('FILE_TRUNCATED', `header of ${headerBytes} bytes runs past the end of the ${bytes.length}-byte file`);

  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (err) {
    bad('BAD_HEADER', `header is not valid JSON (${(err as Error).message})`);
  }
  if (!isRecord(header)) return bad('BAD_HEADER', 'header is not a JSON object');

  const entries = new Map<string, SafetensorsEntry>();
  const dataBytes = bytes.length - dataStart;
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (!isHeaderEntry(raw)) {
      return bad('BAD_HEADER', `header entry ${name} is not {dtype, shape, data_offsets: [begin, end]}`);
    }
    const [begin, end] = raw.data_offsets;
    if (begin > end) bad('BAD_HEADER', `tensor ${name} has data_offsets [${begin}, ${end}] with begin > end`);
    if (end > dataBytes) bad('FILE_TRUNCATED', `data of tensor ${name} ends at ${end} but the data section has ${dataBytes} bytes`);
    const elements = raw.shape.reduce((a, b) => a * b, 1);
    const size = SAFETENSORS_DTYPE_BYTES[raw.dtype as SafetensorsDtype];
    if (size !== undefined && elements * size !== end - begin) {
      bad('BAD_HEADER', `tensor ${name} of shape [${raw.shape}] ${raw.dtype} needs ${elements * size} bytes, header gives ${end - begin}`);
    }
    entries.set(name, { name, dtype: raw.dtype, shape: raw.shape, begin: dataStart + begin, end: dataStart + end });
  }
  return { path, bytes, entries };
}

/** Throws UNSUPPORTED unless the entry's dtype is F32, F16 or BF16. */
export function checkSafetensorsDtype(file: SafetensorsFile, entry: SafetensorsEntry): SafetensorsDtype {
  if (!(entry.dtype in SAFETENSORS_DTYPE_BYTES)) {
    throw new WaferError('UNSUPPORTED', `${file.path}: tensor ${entry.name} has dtype ${entry.dtype}; wafer reads F32, F16 and BF16`);
  }
  return entry.dtype as SafetensorsDtype;
}

/** Decodes one tensor to float32 (F32 data is a view when aligned). */
export function decodeSafetensor(file: SafetensorsFile, entry: SafetensorsEntry): { data: Float32Array; sourceDtype: SourceDtype } {
  const dtype = checkSafetensorsDtype(file, entry);
  const raw = file.bytes.subarray(entry.begin, entry.end);
  const data = dtype === 'F32' ? float32FromBytes(raw) : dtype === 'F16' ? float16BytesToFloat32(raw) : bfloat16BytesToFloat32(raw);
  return { data, sourceDtype: dtype };
}

/** A tensor to write: its bytes already encoded in `dtype`. */
export interface SafetensorsOutput {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  bytes: Uint8Array;
}

/** Writes a safetensors file (header padded with spaces to 8 bytes, as the reference writer does). */
export function writeSafetensors(path: string, tensors: SafetensorsOutput[]): void {
  assertLittleEndianHost();
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.bytes.length] };
    offset += t.bytes.length;
  }
  const unpadded = new TextEncoder().encode(JSON.stringify(header));
  const jsonBytes = new Uint8Array(Math.ceil(unpadded.length / 8) * 8).fill(0x20); // 8 + header keeps data 8-aligned
  jsonBytes.set(unpadded);
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(jsonBytes.length), true);
  const fd = openSync(path, 'w');
  try {
    writeAll(fd, prefix);
    writeAll(fd, jsonBytes);
    for (const t of tensors) writeAll(fd, t.bytes);
  } finally {
    closeSync(fd);
  }
}

function isHeaderEntry(raw: unknown): raw is { dtype: string; shape: number[]; data_offsets: [number, number] } {
  if (!isRecord(raw) || typeof raw.dtype !== 'string' || !isIndexList(raw.shape)) return false;
  return isIndexList(raw.data_offsets) && raw.data_offsets.length === 2;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isIndexList(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => Number.isSafeInteger(v) && v >= 0);
}
