// The tensor types wafer reads and writes, by ggml type id: block geometry, decoder and encoder, plus the
// fallback llama.cpp uses when a tensor's rows do not fit a type's block.

import { invariant } from '@wafer/arch';
import { GgmlType, type GgmlTypeName } from '../gguf-types.js';
import { decodeBfloat16, decodeFloat16, float32Bytes, float32FromBytes, float32ToBfloat16Bytes, float32ToFloat16Bytes } from '../dtype-codec.js';
import { encodeIQ4_NL, encodeIQ4_XS, decodeIQ4_NL, decodeIQ4_XS, IQ4_NL_BLOCK_BYTES, IQ4_XS_BLOCK_BYTES } from './iq4-quants.js';
import { decodeQ2_K, decodeQ3_K, decodeQ4_K, decodeQ5_K, decodeQ6_K, QK_K, Q2_K_BLOCK_BYTES, Q3_K_BLOCK_BYTES, Q4_K_BLOCK_BYTES, Q5_K_BLOCK_BYTES, Q6_K_BLOCK_BYTES } from './k-quants-decode.js';
import { encodeQ2_K, encodeQ3_K, encodeQ4_K, encodeQ5_K, encodeQ6_K } from './k-quants-encode.js';
import {
  decodeQ4_0, decodeQ4_1, decodeQ5_0, decodeQ5_1, decodeQ8_0, encodeQ4_0, encodeQ4_1, encodeQ5_0, encodeQ5_1, encodeQ8_0,
  Q4_0_BLOCK_BYTES, Q4_1_BLOCK_BYTES, Q5_0_BLOCK_BYTES, Q5_1_BLOCK_BYTES, Q8_0_BLOCK_BYTES,
} from './legacy-quants.js';

/** A tensor type wafer decodes and encodes. */
export interface GgmlCodec {
  readonly id: number;
  readonly name: GgmlTypeName;
  /** Values per block; a row's length must be a multiple of it. */
  readonly blockValues: number;
  readonly blockBytes: number;
  /** Decodes whole blocks of `bytes` into `out` (out.length = blocks × blockValues). */
  readonly decode: (bytes: Uint8Array, out: Float32Array) => void;
  /** Encodes values (length a multiple of blockValues) into a new byte array. */
  readonly encode: (data: Float32Array) => Uint8Array;
}

function codec(
  name: GgmlTypeName, blockValues: number, blockBytes: number,
  decode: GgmlCodec['decode'], encode: GgmlCodec['encode'],
): GgmlCodec {
  return { id: GgmlType[name], name, blockValues, blockBytes, decode, encode };
}

const CODEC_LIST: readonly GgmlCodec[] = [
  codec('F32', 1, 4, (bytes, out) => out.set(float32FromBytes(bytes)), (data) => float32Bytes(data)),
  codec('F16', 1, 2, decodeFloat16, float32ToFloat16Bytes),
  codec('BF16', 1, 2, decodeBfloat16, float32ToBfloat16Bytes),
  codec('Q4_0', 32, Q4_0_BLOCK_BYTES, decodeQ4_0, encodeQ4_0),
  codec('Q4_1', 32, Q4_1_BLOCK_BYTES, decodeQ4_1, encodeQ4_1),
  codec('Q5_0', 32, Q5_0_BLOCK_BYTES, decodeQ5_0, encodeQ5_0),
  codec('Q5_1', 32, Q5_1_BLOCK_BYTES, decodeQ5_1, encodeQ5_1),
  codec('Q8_0', 32, Q8_0_BLOCK_BYTES, decodeQ8_0, encodeQ8_0),
  codec('Q2_K', QK_K, Q2_K_BLOCK_BYTES, decodeQ2_K, encodeQ2_K),
  codec('Q3_K', QK_K, Q3_K_BLOCK_BYTES, decodeQ3_K, encodeQ3_K),
  codec('Q4_K', QK_K, Q4_K_BLOCK_BYTES, decodeQ4_K, encodeQ4_K),
  codec('Q5_K', QK_K, Q5_K_BLOCK_BYTES, decodeQ5_K, encodeQ5_K),
  codec('Q6_K', QK_K, Q6_K_BLOCK_BYTES, decodeQ6_K, encodeQ6_K),
  codec('IQ4_NL', 32, IQ4_NL_BLOCK_BYTES, decodeIQ4_NL, encodeIQ4_NL),
  codec('IQ4_XS', QK_K, IQ4_XS_BLOCK_BYTES, decodeIQ4_XS, encodeIQ4_XS),
];

/** Every type wafer reads and writes, by ggml type id. */
export const GGML_CODECS: ReadonlyMap<number, GgmlCodec> = new Map(CODEC_LIST.map((c) => [c.id, c]));

/** The codec of a type name (for writers and the CLI). */
export function codecByName(name: GgmlTypeName): GgmlCodec {
  const found = CODEC_LIST.find((c) => c.name === name);
  invariant(found !== undefined, `a codec exists for every GgmlTypeName (${name})`);
  return found;
}

/** Names of every type wafer writes, in the order the CLI lists them. */
export const WRITABLE_TYPE_NAMES: readonly GgmlTypeName[] = CODEC_LIST.map((c) => c.name);

/**
 * What llama.cpp's quantizer uses for a tensor whose rows do not fit `name`'s block (llama-quant.cpp):
 * Q2_K, Q3_K and IQ4_XS → IQ4_NL, Q4_K → Q5_0, Q5_K → Q5_1, Q6_K → Q8_0, and F16 when that does not
 * fit either (or for the 32-value types).
 */
const ROW_FALLBACK: Partial<Record<GgmlTypeName, GgmlTypeName>> = {
  Q2_K: 'IQ4_NL', Q3_K: 'IQ4_NL', IQ4_XS: 'IQ4_NL', Q4_K: 'Q5_0', Q5_K: 'Q5_1', Q6_K: 'Q8_0',
};

/** The type a matrix with rows of `rowLength` values is written in when `requested` is asked for. */
export function typeForRows(requested: GgmlTypeName, rowLength: number): GgmlCodec {
  const wanted = codecByName(requested);
  if (rowLength % wanted.blockValues === 0) return wanted;
  const fallback = ROW_FALLBACK[requested];
  if (fallback !== undefined && rowLength % codecByName(fallback).blockValues === 0) return codecByName(fallback);
  return codecByName('F16');
}
