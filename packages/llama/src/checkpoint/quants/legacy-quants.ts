// ggml's original 32-value block types: Q4_0, Q4_1, Q5_0, Q5_1 and Q8_0. Decoders follow ggml's
// dequantize_row_* operation for operation in float32; encoders fit each block's scale by least squares.
//
// Layouts (bytes): Q4_0 d:f16 qs[16] · Q4_1 d:f16 m:f16 qs[16] · Q5_0 d:f16 qh[4] qs[16] ·
// Q5_1 d:f16 m:f16 qh[4] qs[16] · Q8_0 d:f16 qs[32]:int8. qs nibble j holds value j (low) and j+16 (high);
// qh bit j is the fifth bit of value j.

import { halfAt, halfTable } from '../dtype-codec.js';
import { affineCode, asHalf, clampRound, fitAffine, fitUniform, putHalf } from './quant-fit.js';

const f32 = Math.fround;
/** Values per block of every legacy type. */
export const LEGACY_BLOCK_VALUES = 32;
export const Q4_0_BLOCK_BYTES = 18;
export const Q4_1_BLOCK_BYTES = 20;
export const Q5_0_BLOCK_BYTES = 22;
export const Q5_1_BLOCK_BYTES = 24;
export const Q8_0_BLOCK_BYTES = 34;

function u32At(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}

/** Q4_0: value = (nibble − 8)·d. */
export function decodeQ4_0(bytes: Uint8Array, out: Float32Array): void {
  const table = halfTable();
  for (let b = 0, at = 0, y = 0; y < out.length; b++, at += Q4_0_BLOCK_BYTES, y += 32) {
    const d = halfAt(bytes, at, table);
    for (let j = 0; j < 16; j++) {
      const q = bytes[at + 2 + j];
      out[y + j] = ((q & 0xf) - 8) * d;
      out[y + j + 16] = ((q >> 4) - 8) * d;
    }
  }
}

/** Q4_1: value = nibble·d + m. */
export function decodeQ4_1(bytes: Uint8Array, out: Float32Array): void {
  const table = halfTable();
  for (let at = 0, y = 0; y < out.length; at += Q4_1_BLOCK_BYTES, y += 32) {
    const d = halfAt(bytes, at, table);
    const m = halfAt(bytes, at + 2, table);
    for (let j = 0; j < 16; j++) {
      const q = bytes[at + 4 + j];
      out[y + j] = f32((q & 0xf) * d) + m;
      out[y + j + 16] = f32((q >> 4) * d) + m;
    }
  }
}

/** Q5_0: value = (5-bit code − 16)·d. */
export function decodeQ5_0(bytes: Uint8Array, out: Float32Array): void {
  const table = halfTable();
  for (let at = 0, y = 0; y < out.length; at += Q5_0_BLOCK_BYTES, y += 32) {
    const d = halfAt(bytes, at, table);
    const qh = u32At(bytes, at + 2);
    for (let j = 0; j < 16; j++) {
      const q = bytes[at + 6 + j];
      out[y + j] = (((q & 0xf) | (((qh >>> j) << 4) & 0x10)) - 16) * d;
      out[y + j + 16] = (((q >> 4) | ((qh >>> (j + 12)) & 0x10)) - 16) * d;
    }
  }
}

/** Q5_1: value = 5-bit code·d + m. */
export function decodeQ5_1(bytes: Uint8Array, out: Float32Array): void {
  const table = halfTable();
  for (let at = 0, y = 0; y < out.length; at += Q5_1_BLOCK_BYTES, y += 32) {
    const d = halfAt(bytes, at, table);
    const m = halfAt(bytes, at + 2, table);
    const qh = u32At(bytes, at + 4);
    for (let j = 0; j < 16; j++) {
      const q = bytes[at + 8 + j];
      out[y + j] = f32(((q & 0xf) | (((qh >>> j) << 4) & 0x10)) * d) + m;
      out[y + j + 16] = f32(((q >> 4) | ((qh >>> (j + 12)) & 0x10)) * d) + m;
    }
  }
}

/** Q8_0: value = int8·d. */
export function decodeQ8_0(bytes: Uint8Array, out: Float32Array): void {
  const table = halfTable();
  const quants = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let at = 0, y = 0; y < out.length; at += Q8_0_BLOCK_BYTES, y += 32) {
    const d = halfAt(bytes, at, table);
    for (let j = 0; j < 32; j++) out[y + j] = quants[at + 2 + j] * d;
  }
}

/** Symmetric 4- or 5-bit blocks: codes −2^(bits−1) .. 2^(bits−1)−1 stored with an offset. */
function encodeSymmetric(data: Float32Array, bits: 4 | 5, blockBytes: number): Uint8Array {
  const half = 1 << (bits - 1);
  const out = new Uint8Array((data.length / 32) * blockBytes);
  const codes = new Uint8Array(32);
  for (let x0 = 0, at = 0; x0 < data.length; x0 += 32, at += blockBytes) {
    const d = asHalf(fitUniform(data, x0, 32, -half, -half, half - 1));
    putHalf(out, at, d);
    for (let j = 0; j < 32; j++) codes[j] = d === 0 ? half : clampRound(data[x0 + j] / d, -half, half - 1) + half;
    packCodes(out, at + 2, codes, bits);
  }
  return out;
}

/** Affine 4- or 5-bit blocks: codes 0 .. 2^bits−1, value = code·d + m. */
function encodeAffine(data: Float32Array, bits: 4 | 5, blockBytes: number): Uint8Array {
  const nmax = (1 << bits) - 1;
  const out = new Uint8Array((data.length / 32) * blockBytes);
  const codes = new Uint8Array(32);
  for (let x0 = 0, at = 0; x0 < data.length; x0 += 32, at += blockBytes) {
    const fit = fitAffine(data, x0, 32, nmax);
    const d = asHalf(fit.scale);
    const m = asHalf(-fit.min);
    putHalf(out, at, d);
    putHalf(out, at + 2, m);
    for (let j = 0; j < 32; j++) codes[j] = affineCode(data[x0 + j], d, -m, nmax);
    packCodes(out, at + 4, codes, bits);
  }
  return out;
}

/** Packs 32 codes: for 5 bits a u32 of fifth bits first, then 16 bytes of nibbles (j low, j+16 high). */
function packCodes(out: Uint8Array, at: number, codes: Uint8Array, bits: 4 | 5): void {
  if (bits === 5) {
    let qh = 0;
    for (let j = 0; j < 32; j++) qh |= ((codes[j] >> 4) & 1) << j;
    out[at] = qh & 0xff;
    out[at + 1] = (qh >>> 8) & 0xff;
    out[at + 2] = (qh >>> 16) & 0xff;
    out[at + 3] = qh >>> 24;
    at += 4;
  }
  for (let j = 0; j < 16; j++) out[at + j] = (codes[j] & 0xf) | ((codes[j + 16] & 0xf) << 4);
}

/** Quantises to Q4_0 (length a multiple of 32). */
export function encodeQ4_0(data: Float32Array): Uint8Array {
  return encodeSymmetric(data, 4, Q4_0_BLOCK_BYTES);
}

/** Quantises to Q4_1 (length a multiple of 32). */
export function encodeQ4_1(data: Float32Array): Uint8Array {
  return encodeAffine(data, 4, Q4_1_BLOCK_BYTES);
}

/** Quantises to Q5_0 (length a multiple of 32). */
export function encodeQ5_0(data: Float32Array): Uint8Array {
  return encodeSymmetric(data, 5, Q5_0_BLOCK_BYTES);
}

/** Quantises to Q5_1 (length a multiple of 32). */
export function encodeQ5_1(data: Float32Array): Uint8Array {
  return encodeAffine(data, 5, Q5_1_BLOCK_BYTES);
}

/** Quantises to Q8_0 exactly as ggml's quantize_row_q8_0_ref: d = amax/127, codes roundf(x/d). */
export function encodeQ8_0(data: Float32Array): Uint8Array {
  const out = new Uint8Array((data.length / 32) * Q8_0_BLOCK_BYTES);
  const quants = new Int8Array(out.buffer);
  for (let x0 = 0, at = 0; x0 < data.length; x0 += 32, at += Q8_0_BLOCK_BYTES) {
    let amax = 0;
    for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(data[x0 + j]));
    const scale = f32(amax / 127);
    const inverse = scale ? f32(1 / scale) : 0;
    putHalf(out, at, scale);
    for (let j = 0; j < 32; j++) {
      const v = f32(data[x0 + j] * inverse);
      quants[at + 2 + j] = Math.sign(v) * Math.floor(Math.abs(v) + 0.5); // C roundf: half away from zero
    }
  }
  return out;
}
