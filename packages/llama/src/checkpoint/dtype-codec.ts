// Conversions between float32 and the storage dtypes we read and write: F16, BF16 and ggml's Q8_0
// (blocks of 32 values: one f16 scale then 32 int8). Encoders round exactly as ggml / PyTorch do.

import { invariant } from '@wafer/arch';

/** Values per Q8_0 block and bytes per block (f16 scale + 32 × int8). */
export const Q8_0_BLOCK_VALUES = 32;
export const Q8_0_BLOCK_BYTES = 2 + Q8_0_BLOCK_VALUES;

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

let f16Table: Float32Array | undefined;

/** float32 value of every f16 bit pattern, built once (256 KiB). */
function halfTable(): Float32Array {
  if (f16Table) return f16Table;
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) table[h] = halfBitsToNumber(h);
  f16Table = table;
  return table;
}

/** The value of one IEEE binary16 bit pattern. */
export function halfBitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** IEEE binary16 bits of a number, rounded to nearest even (overflow → ±inf), like numpy's float16. */
export function numberToHalfBits(x: number): number {
  scratchF32[0] = x;
  const bits = scratchU32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const halfExponent = exponent - 112; // rebias 127 → 15
  if (halfExponent >= 31) return sign | 0x7c00;
  if (halfExponent >= 1) {
    let half = (halfExponent << 10) | (mantissa >>> 13);
    const rest = mantissa & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++; // a carry into the exponent is correct
    return sign | half;
  }
  // Subnormal half: value × 2^24 = (1.mantissa × 2^23) / 2^shift.
  const shift = 14 - halfExponent;
  if (shift > 24) return sign;
  const full = mantissa | 0x800000;
  const scale = 2 ** shift;
  let half = Math.floor(full / scale);
  const rest = full - half * scale;
  if (rest > scale / 2 || (rest === scale / 2 && half & 1)) half++;
  return sign | half;
}

/** float32 data stored in `bytes` (little-endian): a view when 4-byte aligned, else a copy. */
export function float32FromBytes(bytes: Uint8Array): Float32Array {
  invariant(bytes.length % 4 === 0, 'float32 byte length is a multiple of 4');
  if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  return new Float32Array(bytes.slice().buffer);
}

function uint16FromBytes(bytes: Uint8Array): Uint16Array {
  invariant(bytes.length % 2 === 0, '16-bit byte length is even');
  if (bytes.byteOffset % 2 === 0) return new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
  return new Uint16Array(bytes.slice().buffer);
}

/** Decodes little-endian F16 bytes to a new float32 array. */
export function float16BytesToFloat32(bytes: Uint8Array): Float32Array {
  const halves = uint16FromBytes(bytes);
  const table = halfTable();
  const out = new Float32Array(halves.length);
  for (let i = 0; i < halves.length; i++) out[i] = table[halves[i]];
  return out;
}

/** Decodes little-endian BF16 bytes (the top 16 bits of a float32) to a new float32 array. */
export function bfloat16BytesToFloat32(bytes: Uint8Array): Float32Array {
  const halves = uint16FromBytes(bytes);
  const out = new Float32Array(halves.length);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < halves.length; i++) outBits[i] = halves[i] << 16;
  return out;
}

/** Dequantises Q8_0 blocks (f16 scale d, 32 × int8 q; value = d·q) to a new float32 array. */
export function q8_0BytesToFloat32(bytes: Uint8Array): Float32Array {
  invariant(bytes.length % Q8_0_BLOCK_BYTES === 0, 'Q8_0 byte length is a whole number of blocks');
  const blocks = bytes.length / Q8_0_BLOCK_BYTES;
  const out = new Float32Array(blocks * Q8_0_BLOCK_VALUES);
  const quants = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  const table = halfTable();
  for (let b = 0; b < blocks; b++) {
    const at = b * Q8_0_BLOCK_BYTES;
    const scale = table[bytes[at] | (bytes[at + 1] << 8)];
    const base = b * Q8_0_BLOCK_VALUES;
    for (let j = 0; j < Q8_0_BLOCK_VALUES; j++) out[base + j] = scale * quants[at + 2 + j];
  }
  return out;
}

/** The bytes of a float32 array as stored on disk (a view, no copy). */
export function float32Bytes(data: Float32Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Encodes float32 values as little-endian F16 bytes (round to nearest even). */
export function float32ToFloat16Bytes(data: Float32Array): Uint8Array {
  const out = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = numberToHalfBits(data[i]);
  return new Uint8Array(out.buffer);
}

/** Encodes float32 values as little-endian BF16 bytes (round to nearest even, NaN stays NaN), like PyTorch. */
export function float32ToBfloat16Bytes(data: Float32Array): Uint8Array {
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  const out = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const b = bits[i];
    const isNaN = (b & 0x7fffffff) > 0x7f800000;
    out[i] = isNaN ? (b >>> 16) | 0x40 : (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
  }
  return new Uint8Array(out.buffer);
}

/** Quantises float32 values (length a multiple of 32) to Q8_0 exactly as ggml's quantize_row_q8_0_ref. */
export function float32ToQ8_0Bytes(data: Float32Array): Uint8Array {
  invariant(data.length % Q8_0_BLOCK_VALUES === 0, 'Q8_0 input length is a multiple of 32');
  const blocks = data.length / Q8_0_BLOCK_VALUES;
  const out = new Uint8Array(blocks * Q8_0_BLOCK_BYTES);
  const quants = new Int8Array(out.buffer);
  for (let b = 0; b < blocks; b++) {
    const base = b * Q8_0_BLOCK_VALUES;
    let amax = 0;
    for (let j = 0; j < Q8_0_BLOCK_VALUES; j++) amax = Math.max(amax, Math.abs(data[base + j]));
    const scale = Math.fround(amax / 127);
    const inverse = scale ? Math.fround(1 / scale) : 0;
    const halfScale = numberToHalfBits(scale);
    const at = b * Q8_0_BLOCK_BYTES;
    out[at] = halfScale & 0xff;
    out[at + 1] = halfScale >>> 8;
    for (let j = 0; j < Q8_0_BLOCK_VALUES; j++) {
      const x = Math.fround(data[base + j] * inverse);
      quants[at + 2 + j] = Math.sign(x) * Math.floor(Math.abs(x) + 0.5); // C roundf: half away from zero
    }
  }
  return out;
}
