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

/** ggml tensor type ids of the types wafer reads and writes (ggml.h's enum ggml_type). */
export const GgmlType = {
  F32: 0, F16: 1, Q4_0: 2, Q4_1: 3, Q5_0: 6, Q5_1: 7, Q8_0: 8, Q2_K: 10, Q3_K: 11, Q4_K: 12, Q5_K: 13, Q6_K: 14,
  IQ4_NL: 20, IQ4_XS: 23, BF16: 30,
} as const;

/** Name of a type wafer reads and writes. */
export type GgmlTypeName = keyof typeof GgmlType;

/** Block geometry of one ggml type: values per block and bytes per block. */
export interface GgmlTypeLayout {
  readonly name: string;
  readonly blockValues: number;
  readonly blockBytes: number;
}

/**
 * Every ggml tensor type id a GGUF file may carry (ggml.h and ggml-common.h block structs), with its block
 * geometry, so any file's tensor extents can be checked even for types wafer does not decode. Ids 4, 5 and
 * 31–33, 36–38 were removed from ggml and are unknown here.
 */
export const GGML_TYPE_LAYOUTS: Readonly<Record<number, GgmlTypeLayout>> = {
  0: { name: 'F32', blockValues: 1, blockBytes: 4 }, 1: { name: 'F16', blockValues: 1, blockBytes: 2 },
  2: { name: 'Q4_0', blockValues: 32, blockBytes: 18 }, 3: { name: 'Q4_1', blockValues: 32, blockBytes: 20 },
  6: { name: 'Q5_0', blockValues: 32, blockBytes: 22 }, 7: { name: 'Q5_1', blockValues: 32, blockBytes: 24 },
  8: { name: 'Q8_0', blockValues: 32, blockBytes: 34 }, 9: { name: 'Q8_1', blockValues: 32, blockBytes: 36 },
  10: { name: 'Q2_K', blockValues: 256, blockBytes: 84 }, 11: { name: 'Q3_K', blockValues: 256, blockBytes: 110 },
  12: { name: 'Q4_K', blockValues: 256, blockBytes: 144 }, 13: { name: 'Q5_K', blockValues: 256, blockBytes: 176 },
  14: { name: 'Q6_K', blockValues: 256, blockBytes: 210 }, 15: { name: 'Q8_K', blockValues: 256, blockBytes: 292 },
  16: { name: 'IQ2_XXS', blockValues: 256, blockBytes: 66 }, 17: { name: 'IQ2_XS', blockValues: 256, blockBytes: 74 },
  18: { name: 'IQ3_XXS', blockValues: 256, blockBytes: 98 }, 19: { name: 'IQ1_S', blockValues: 256, blockBytes: 50 },
  20: { name: 'IQ4_NL', blockValues: 32, blockBytes: 18 }, 21: { name: 'IQ3_S', blockValues: 256, blockBytes: 110 },
  22: { name: 'IQ2_S', blockValues: 256, blockBytes: 82 }, 23: { name: 'IQ4_XS', blockValues: 256, blockBytes: 136 },
  24: { name: 'I8', blockValues: 1, blockBytes: 1 }, 25: { name: 'I16', blockValues: 1, blockBytes: 2 },
  26: { name: 'I32', blockValues: 1, blockBytes: 4 }, 27: { name: 'I64', blockValues: 1, blockBytes: 8 },
  28: { name: 'F64', blockValues: 1, blockBytes: 8 }, 29: { name: 'IQ1_M', blockValues: 256, blockBytes: 56 },
  30: { name: 'BF16', blockValues: 1, blockBytes: 2 }, 34: { name: 'TQ1_0', blockValues: 256, blockBytes: 54 },
  35: { name: 'TQ2_0', blockValues: 256, blockBytes: 66 }, 39: { name: 'MXFP4', blockValues: 32, blockBytes: 17 },
};

/** The name of a type id for messages: its ggml name, or "unknown type id N". */
export function ggmlTypeName(id: number): string {
  return GGML_TYPE_LAYOUTS[id]?.name ?? `unknown type id ${id}`;
}

/**
 * `general.file_type` (llama.cpp's LLAMA_FTYPE_*) of a file whose matrices are all of one type; for the
 * K-quants the "_S" (smallest) variant, which is what a single-type file is closest to.
 */
export const GGUF_FILE_TYPE: Readonly<Record<GgmlTypeName, number>> = {
  F32: 0, F16: 1, Q4_0: 2, Q4_1: 3, Q8_0: 7, Q5_0: 8, Q5_1: 9, Q2_K: 10, Q3_K: 11, Q4_K: 14, Q5_K: 16, Q6_K: 18,
  IQ4_NL: 25, IQ4_XS: 30, BF16: 32,
};

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
  /** ggml type id (a key of GGML_TYPE_LAYOUTS: the parser rejects any other). */
  readonly type: number;
  /** Byte offset of the data relative to the start of the data section. */
  readonly offset: number;
  /** Bytes of data: whole blocks of the type (rows are checked to be whole blocks). */
  readonly byteLength: number;
}

/** A parsed GGUF header: version, metadata, tensor infos and where the data section starts. */
export interface GgufHeader {
  readonly path: string;
  readonly version: number;
  readonly metadata: Map<string, GgufEntry>;
  readonly tensors: GgufTensorInfo[];
  readonly alignment: number;
  /** File offset where the tensor data section starts (aligned). */
  readonly dataOffset: number;
}

/** A parsed GGUF file: its header, checked against the size of the whole file. */
export interface GgufFile extends GgufHeader {
  readonly fileBytes: number;
}
