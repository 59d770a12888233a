// Conversions between float32 and the plain storage dtypes: F16 and BF16 (ggml's block types are in
// quants/). Encoders round exactly as ggml / PyTorch do.

import { invariant } from '@wafer/arch';

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

let f16Table: Float32Array | undefined;

/** float32 value of every f16 bit pattern, built once (256 KiB). */
export function halfTable(): Float32Array {
  if (f16Table) return f16Table;
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) table[h] = halfBitsToNumber(h);
  f16Table = table;
  return table;
}

/** The float32 value of the little-endian f16 at bytes[at] (`table` = halfTable()). */
export function halfAt(bytes: Uint8Array, at: number, table: Float32Array): number {
  return table[bytes[at] | (bytes[at + 1] << 8)];
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
  return new Float32Array(new Uint8Array(bytes).buffer); // a copy: Buffer.prototype.slice would be a view
}

/** Decodes little-endian F16 bytes to a new float32 array. */
export function float16BytesToFloat32(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length / 2);
  decodeFloat16(bytes, out);
  return out;
}

/** Decodes little-endian F16 bytes into `out` (bytes.length / 2 values). */
export function decodeFloat16(bytes: Uint8Array, out: Float32Array): void {
  const table = halfTable();
  for (let i = 0, at = 0; i < out.length; i++, at += 2) out[i] = table[bytes[at] | (bytes[at + 1] << 8)];
}

/** Decodes little-endian BF16 bytes (the top 16 bits of a float32) to a new float32 array. */
export function bfloat16BytesToFloat32(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length / 2);
  decodeBfloat16(bytes, out);
  return out;
}

/** Decodes little-endian BF16 bytes into `out` (bytes.length / 2 values). */
export function decodeBfloat16(bytes: Uint8Array, out: Float32Array): void {
  const outBits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0, at = 0; i < out.length; i++, at += 2) outBits[i] = (bytes[at] | (bytes[at + 1] << 8)) << 16;
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
