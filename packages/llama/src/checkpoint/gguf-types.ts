// GGUF container constants and types (ggml's docs/gguf.md): metadata value types, ggml tensor types and
// the parsed shape of a file. Shared by the GGUF reader and writer.

/** "GGUF" as the first four bytes of the file. */
export const GGUF_MAGIC_BYTES = Uint8Array.of(0x47, 0x47, 0x55, 0x46);

/** Versions whose layout we read: v2 and v3 both use uint64 counts and lengths (v3 only adds big-endian files). */
export const GGUF_SUPPORTED_VERSIONS = [2, 3] as const;

/** Tensor data alignment when `general.alignment` is absent. */
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** Metadata value type ids. */
export const GgufValueType = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;
export type GgufValueTypeId = (typeof GgufValueType)[keyof typeof GgufValueType];

/** Names of metadata value types, for messages. */
export const GGUF_VALUE_TYPE_NAMES: readonly string[] = Object.keys(GgufValueType);

/** ggml tensor types this package reads and writes. */
export const GgmlType = { F32: 0, F16: 1, Q8_0: 8, BF16: 30 } as const;

/** Names of every ggml tensor type id (ggml.h), so an unsupported one is named in the error. */
export const GGML_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'F32', 1: 'F16', 2: 'Q4_0', 3: 'Q4_1', 6: 'Q5_0', 7: 'Q5_1', 8: 'Q8_0', 9: 'Q8_1', 10: 'Q2_K', 11: 'Q3_K',
  12: 'Q4_K', 13: 'Q5_K', 14: 'Q6_K', 15: 'Q8_K', 16: 'IQ2_XXS', 17: 'IQ2_XS', 18: 'IQ3_XXS', 19: 'IQ1_S',
  20: 'IQ4_NL', 21: 'IQ3_S', 22: 'IQ2_S', 23: 'IQ4_XS', 24: 'I8', 25: 'I16', 26: 'I32', 27: 'I64', 28: 'F64',
  29: 'IQ1_M', 30: 'BF16', 34: 'TQ1_0', 35: 'TQ2_0', 39: 'MXFP4',
};

/** `general.file_type` values (llama.cpp's LLAMA_FTYPE_*) for the files we write. */
export const GGUF_FILE_TYPE = { F32: 0, F16: 1, Q8_0: 7 } as const;

/** A GGUF array value: numeric arrays are typed arrays, strings and bools plain arrays. */
export interface GgufArray {
  readonly itemType: GgufValueTypeId;
  readonly values:
    | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array
    | BigUint64Array | BigInt64Array | boolean[] | string[] | GgufArray[];
}

/** A metadata value: 64-bit integers are bigint, other numbers number. */
export type GgufValue = number | bigint | boolean | string | GgufArray;

/** One metadata entry with its declared type. */
export interface GgufEntry {
  readonly type: GgufValueTypeId;
  readonly value: GgufValue;
}

/** One tensor info. dims lists ne0 (the innermost, contiguous dimension) first. */
export interface GgufTensorInfo {
  readonly name: string;
  readonly dims: number[];
  readonly type: number;
  /** Byte offset of the data relative to the start of the data section. */
  readonly offset: number;
}

/** A parsed GGUF file: header, metadata, tensor infos, and the bytes they point into. */
export interface GgufFile {
  readonly path: string;
  readonly version: number;
  readonly metadata: Map<string, GgufEntry>;
  readonly tensors: GgufTensorInfo[];
  readonly alignment: number;
  /** File offset where the tensor data section starts (aligned). */
  readonly dataOffset: number;
  readonly bytes: Uint8Array;
}
