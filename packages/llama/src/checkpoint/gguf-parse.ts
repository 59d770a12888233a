// Parser of the GGUF container (v2/v3): header, metadata key/values of every type, tensor infos, alignment
// and data offset. Every count and length is checked against the bytes left before anything is allocated,
// and every tensor's type, row length and data extent against ggml's block geometry and the file size.

import { WaferError } from '@wafer/arch';
import { ByteCursor } from './byte-cursor.js';
import {
  GGML_TYPE_LAYOUTS,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC_BYTES,
  GGUF_SUPPORTED_VERSIONS,
  GGUF_VALUE_TYPE_NAMES,
  GgufValueType,
  type GgufArray,
  type GgufEntry,
  type GgufFile,
  type GgufHeader,
  type GgufTensorInfo,
  type GgufValue,
  type GgufValueTypeId,
} from './gguf-types.js';

/** ggml tensors have at most 4 dimensions. */
const GGML_MAX_DIMS = 4;
/** Arrays of arrays are legal; deeper nesting than this is treated as corruption. */
const MAX_ARRAY_DEPTH = 8;
/** Smallest encodings, for plausibility checks of counts: a KV (key length, 1-byte key, type, 1-byte value), a tensor info. */
const MIN_KV_BYTES = 8 + 1 + 4 + 1;
const MIN_TENSOR_INFO_BYTES = 8 + 1 + 4 + 8 + 4 + 8;

/** Byte size of fixed-size value types (strings and arrays are variable). */
const FIXED_SIZE: Partial<Record<GgufValueTypeId, number>> = {
  [GgufValueType.UINT8]: 1, [GgufValueType.INT8]: 1, [GgufValueType.BOOL]: 1,
  [GgufValueType.UINT16]: 2, [GgufValueType.INT16]: 2,
  [GgufValueType.UINT32]: 4, [GgufValueType.INT32]: 4, [GgufValueType.FLOAT32]: 4,
  [GgufValueType.UINT64]: 8, [GgufValueType.INT64]: 8, [GgufValueType.FLOAT64]: 8,
};

/** True when `bytes` starts with the GGUF magic. */
export function hasGgufMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && GGUF_MAGIC_BYTES.every((b, i) => bytes[i] === b);
}

/**
 * Parses a whole GGUF file held in `bytes` (read from `path`, named in every error): the header, then the
 * checks of every tensor's extent against the file's size. A pure function of its bytes; throws only
 * WaferErrors.
 */
export function parseGguf(bytes: Uint8Array, path: string): GgufFile {
  const header = parseGgufHeader(bytes, path);
  checkGgufExtents(header, bytes.length);
  return { ...header, fileBytes: bytes.length };
}

/**
 * Parses the header of a GGUF file from `bytes`, which may be only a prefix of the file: everything up to
 * the (aligned) start of the tensor data. FILE_TRUNCATED when the prefix ends inside the header. Checks
 * each tensor's type id (BAD_HEADER naming the tensor when ggml has no such type) and that its rows are
 * whole blocks of its type; not yet whether its data lies inside the file (checkGgufExtents).
 */
export function parseGgufHeader(bytes: Uint8Array, path: string): GgufHeader {
  const cursor = new ByteCursor(bytes, path);
  if (!hasGgufMagic(cursor.take(Math.min(4, bytes.length), 'magic'))) {
    throw new WaferError('BAD_MAGIC', `${path} does not start with the GGUF magic`);
  }
  const version = cursor.u32('version');
  if (!(GGUF_SUPPORTED_VERSIONS as readonly number[]).includes(version)) {
    const hint = version === 1 ? ' (GGUF v1 uses 32-bit counts; convert it with a newer llama.cpp)' : version > 0xffff ? ' (a big-endian file?)' : '';
    throw new WaferError('UNSUPPORTED', `${path}: GGUF version ${version} is not supported; wafer reads v2 and v3${hint}`);
  }
  const tensorCount = cursor.u64Number('tensor_count');
  const kvCount = cursor.u64Number('metadata_kv_count');
  cursor.needCount(kvCount, MIN_KV_BYTES, 'metadata_kv_count');
  cursor.needCount(tensorCount, MIN_TENSOR_INFO_BYTES, 'tensor_count');

  const metadata = new Map<string, GgufEntry>();
  for (let i = 0; i < kvCount; i++) {
    const key = readString(cursor, `metadata key #${i}`);
    if (metadata.has(key)) throw new WaferError('BAD_HEADER', `${path}: metadata key ${key} appears twice`);
    const type = readValueType(cursor, `type of metadata ${key}`);
    metadata.set(key, { type, value: readValue(cursor, type, `metadata ${key}`, 0) });
  }

  const tensors: GgufTensorInfo[] = [];
  const names = new Set<string>();
  for (let i = 0; i < tensorCount; i++) {
    const info = readTensorInfo(cursor, i);
    if (names.has(info.name)) throw new WaferError('BAD_HEADER', `${path}: tensor ${info.name} appears twice`);
    names.add(info.name);
    tensors.push(info);
  }

  const alignment = readAlignment(metadata, path);
  for (const t of tensors) {
    if (t.offset % alignment !== 0) {
      throw new WaferError('BAD_HEADER', `${path}: tensor ${t.name} data offset ${t.offset} is not a multiple of the alignment ${alignment}`);
    }
  }
  const dataOffset = Math.ceil(cursor.offset / alignment) * alignment;
  return { path, version, metadata, tensors, alignment, dataOffset };
}

/** Checks that every tensor's data lies inside a file of `fileBytes` bytes (FILE_TRUNCATED naming the tensor). */
export function checkGgufExtents(header: GgufHeader, fileBytes: number): void {
  for (const t of header.tensors) {
    const end = header.dataOffset + t.offset + t.byteLength;
    if (end > fileBytes) {
      throw new WaferError('FILE_TRUNCATED', `${header.path}: data of tensor ${t.name} ends at byte ${end} but the file has ${fileBytes}`);
    }
  }
}

function readAlignment(metadata: Map<string, GgufEntry>, path: string): number {
  const entry = metadata.get('general.alignment');
  if (!entry) return GGUF_DEFAULT_ALIGNMENT;
  const value = entry.value;
  if (entry.type !== GgufValueType.UINT32 || typeof value !== 'number' || value === 0 || (value & (value - 1)) !== 0) {
    throw new WaferError('BAD_HEADER', `${path}: general.alignment must be a power-of-two uint32, got ${String(value)}`);
  }
  return value;
}

function readTensorInfo(cursor: ByteCursor, index: number): GgufTensorInfo {
  const name = readString(cursor, `name of tensor #${index}`);
  const nDims = cursor.u32(`n_dims of tensor ${name}`);
  if (nDims < 1 || nDims > GGML_MAX_DIMS) {
    throw new WaferError('BAD_HEADER', `${cursor.path}: tensor ${name} has n_dims ${nDims}, not 1..${GGML_MAX_DIMS}`);
  }
  const dims: number[] = [];
  let elements = 1;
  for (let d = 0; d < nDims; d++) {
    const ne = cursor.u64Number(`dim ${d} of tensor ${name}`);
    elements *= ne;
    if (elements > Number.MAX_SAFE_INTEGER) {
      throw new WaferError('BAD_HEADER', `${cursor.path}: tensor ${name} has an absurd element count (dims [${dims.concat(ne)}, …])`);
    }
    dims.push(ne);
  }
  const type = cursor.u32(`type of tensor ${name}`);
  const layout = GGML_TYPE_LAYOUTS[type];
  if (layout === undefined) throw new WaferError('BAD_HEADER', `${cursor.path}: tensor ${name} has type id ${type}, which is not a ggml tensor type`);
  if (dims[0] % layout.blockValues !== 0) {
    throw new WaferError(
      'BAD_HEADER',
      `${cursor.path}: tensor ${name} is ${layout.name} with rows of ${dims[0]} values, not a multiple of its ${layout.blockValues}-value block`,
    );
  }
  const offset = cursor.u64Number(`data offset of tensor ${name}`);
  return { name, dims, type, offset, byteLength: (elements / layout.blockValues) * layout.blockBytes };
}

function readString(cursor: ByteCursor, field: string): string {
  const length = cursor.u64Number(`length of ${field}`);
  return cursor.utf8(length, field);
}

function readValueType(cursor: ByteCursor, field: string): GgufValueTypeId {
  const type = cursor.u32(field);
  if (type >= GGUF_VALUE_TYPE_NAMES.length) throw new WaferError('BAD_HEADER', `${cursor.path}: ${field} is ${type}, not a GGUF value type`);
  return type as GgufValueTypeId;
}

function readValue(cursor: ByteCursor, type: GgufValueTypeId, field: string, depth: number): GgufValue {
  switch (type) {
    case GgufValueType.UINT8: return cursor.u8(field);
    case GgufValueType.INT8: return cursor.i8(field);
    case GgufValueType.UINT16: return cursor.u16(field);
    case GgufValueType.INT16: return cursor.i16(field);
    case GgufValueType.UINT32: return cursor.u32(field);
    case GgufValueType.INT32: return cursor.i32(field);
    case GgufValueType.FLOAT32: return cursor.f32(field);
    case GgufValueType.FLOAT64: return cursor.f64(field);
    case GgufValueType.UINT64: return cursor.u64(field);
    case GgufValueType.INT64: return cursor.i64(field);
    case GgufValueType.BOOL: return readBool(cursor, field);
    case GgufValueType.STRING: return readString(cursor, field);
    case GgufValueType.ARRAY: return readArray(cursor, field, depth + 1);
  }
}

function readBool(cursor: ByteCursor, field: string): boolean {
  const b = cursor.u8(field);
  if (b > 1) throw new WaferError('BAD_HEADER', `${cursor.path}: ${field} is a bool with byte value ${b}`);
  return b === 1;
}

function readArray(cursor: ByteCursor, field: string, depth: number): GgufArray {
  if (depth > MAX_ARRAY_DEPTH) throw new WaferError('BAD_HEADER', `${cursor.path}: ${field} nests arrays deeper than ${MAX_ARRAY_DEPTH}`);
  const itemType = readValueType(cursor, `item type of ${field}`);
  const count = cursor.u64Number(`length of ${field}`);
  const itemBytes = FIXED_SIZE[itemType];
  cursor.needCount(count, itemBytes ?? (itemType === GgufValueType.STRING ? 8 : 12), `length of ${field}`);
  if (itemBytes !== undefined && itemType !== GgufValueType.BOOL) {
    // A copy into a fresh, aligned buffer of exactly these bytes, so the typed array view below is always legal
    // (not slice(): on a Node Buffer that is a view of the whole file).
    const buffer = new Uint8Array(cursor.take(count * itemBytes, field)).buffer;
    return { itemType, values: typedArrayOf(itemType, buffer) };
  }
  const values: (boolean | string | GgufArray)[] = [];
  for (let i = 0; i < count; i++) {
    const item = readValue(cursor, itemType, `${field}[${i}]`, depth);
    values.push(item as boolean | string | GgufArray);
  }
  return { itemType, values: values as boolean[] | string[] | GgufArray[] };
}

function typedArrayOf(type: GgufValueTypeId, buffer: ArrayBuffer): GgufArray['values'] {
  switch (type) {
    case GgufValueType.UINT8: return new Uint8Array(buffer);
    case GgufValueType.INT8: return new Int8Array(buffer);
    case GgufValueType.UINT16: return new Uint16Array(buffer);
    case GgufValueType.INT16: return new Int16Array(buffer);
    case GgufValueType.UINT32: return new Uint32Array(buffer);
    case GgufValueType.INT32: return new Int32Array(buffer);
    case GgufValueType.FLOAT32: return new Float32Array(buffer);
    case GgufValueType.FLOAT64: return new Float64Array(buffer);
    case GgufValueType.UINT64: return new BigUint64Array(buffer);
    case GgufValueType.INT64: return new BigInt64Array(buffer);
    default: throw new WaferError('INTERNAL', `internal invariant violated: no typed array for GGUF type ${type}`);
  }
}
