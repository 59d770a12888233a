// Decoders of ggml's K-quants (256-value super-blocks): Q2_K, Q3_K, Q4_K, Q5_K and Q6_K, following
// ggml's dequantize_row_* operation for operation in float32 (each product and difference rounded).
//
// Layouts (bytes per super-block):
//   Q2_K (84):  scales[16] (4-bit scale | 4-bit min << 4) · qs[64] (2-bit codes) · d:f16 · dmin:f16
//   Q3_K (110): hmask[32] (third bit) · qs[64] (low 2 bits) · scales[12] (16 × 6-bit) · d:f16
//   Q4_K (144): d:f16 · dmin:f16 · scales[12] (8 × 6-bit scale, 8 × 6-bit min) · qs[128] (nibbles)
//   Q5_K (176): d:f16 · dmin:f16 · scales[12] · qh[32] (fifth bit) · qs[128]
//   Q6_K (210): ql[128] (low 4 bits) · qh[64] (high 2 bits) · scales[16]:int8 · d:f16

import { halfAt, halfTable } from '../dtype-codec.js';

const f32 = Math.fround;
/** Values per K-quant super-block (ggml's QK_K). */
export const QK_K = 256;
export const Q2_K_BLOCK_BYTES = 84;
export const Q3_K_BLOCK_BYTES = 110;
export const Q4_K_BLOCK_BYTES = 144;
export const Q5_K_BLOCK_BYTES = 176;
export const Q6_K_BLOCK_BYTES = 210;

/**
 * The j-th (0..7) 6-bit scale and min of a Q4_K/Q5_K block from its 12 packed bytes at `at`
 * (ggml's get_scale_min_k4): j < 4 in the low 6 bits of bytes j and j+4; j ≥ 4 in the nibbles of byte j+4
 * with the top two bits in bytes j−4 and j.
 */
export function scaleMinK4(bytes: Uint8Array, at: number, j: number): { scale: number; min: number } {
  if (j < 4) return { scale: bytes[at + j] & 63, min: bytes[at + j + 4] & 63 };
  return {
    scale: (bytes[at + j + 4] & 0xf) | ((bytes[at + j - 4] >> 6) << 4),
    min: (bytes[at + j + 4] >> 4) | ((bytes[at + j] >> 6) << 4),
  };
}

/** The j-th (0..15) 6-bit Q3_K scale, still offset by 32: low 4 bits in bytes 0..7, high 2 bits in 8..11. */
export function scaleQ3K(bytes: Uint8Array, at: number, j: number): number {
  const low = j < 8 ? bytes[at + j] & 0xf : bytes[at + j - 8] >> 4;
  return low | (((bytes[at + 8 + (j % 4)] >> (2 * (j >> 2))) & 3) << 4);
}

/** Q2_K: value = d·scale·code − dmin·min per 16-value group. */
export function decodeQ2_K(bytes: Uint8Array, out: Float32Array): void {
  const table = halfTable();
  for (let at = 0, y = 0; y < out.length; at += Q2_K_BLOCK_BYTES) {
    const d = halfAt(bytes, at + 80, table);
    const dmin = halfAt(bytes, at + 82, table);
    let is = 0;
    for (let q = at + 16; q < at + 80; q += 32) {
      for (let shift = 0; shift < 8; shift += 2) {
        for (const half of [0, 16]) {
          const sc = bytes[at + is++];
          const dl = f32(d * (sc & 0xf));
          const ml = f32(dmin * (sc >> 4));
          for (let l = 0; l < 16; l++) out[y++] = f32(dl * ((bytes[q + half + l] >> shift) & 3)) - ml;
        }
      }
    }
  }
}

/** Q3_K: value = d·(scale − 32)·(code − 4), the code's third bit clear meaning −4. */
export function decodeQ3_K(bytes: Uint8Array, out: Float32Array): void {
  const table = halfTable();
  for (let at = 0, y = 0; y < out.length; at += Q3_K_BLOCK_BYTES) {
    const d = halfAt(bytes, at + 108, table);
    let is = 0;
    let mask = 1;
    for (let q = at + 32; q < at + 96; q += 32) {
      for (let shift = 0; shift < 8; shift += 2, mask <<= 1) {
        for (const half of [0, 16]) {
          const dl = f32(d * (scaleQ3K(bytes, at + 96, is++) - 32));
          for (let l = 0; l < 16; l++) {
            const code = ((bytes[q + half + l] >> shift) & 3) - (bytes[at + half + l] & mask ? 0 : 4);
            out[y++] = dl * code;
          }
        }
      }
    }
  }
}

/** Q4_K (bits 4) and Q5_K (bits 5): value = d·scale·code − dmin·min per 32-value group. */
function decodeQ45K(bytes: Uint8Array, out: Float32Array, bits: 4 | 5): void {
  const table = halfTable();
  const blockBytes = bits === 4 ? Q4_K_BLOCK_BYTES : Q5_K_BLOCK_BYTES;
  const qsOffset = bits === 4 ? 16 : 48;
  for (let at = 0, y = 0; y < out.length; at += blockBytes) {
    const d = halfAt(bytes, at, table);
    const dmin = halfAt(bytes, at + 2, table);
    let ql = at + qsOffset;
    let high1 = 1;
    for (let is = 0; is < 8; is += 2, ql += 32, high1 <<= 2) {
      const first = scaleMinK4(bytes, at + 4, is);
      const second = scaleMinK4(bytes, at + 4, is + 1);
      const d1 = f32(d * first.scale);
      const m1 = f32(dmin * first.min);
      const d2 = f32(d * second.scale);
      const m2 = f32(dmin * second.min);
      const high2 = high1 << 1;
      for (let l = 0; l < 32; l++) {
        const h = bits === 5 && bytes[at + 16 + l] & high1 ? 16 : 0;
        out[y++] = f32(d1 * ((bytes[ql + l] & 0xf) + h)) - m1;
      }
      for (let l = 0; l < 32; l++) {
        const h = bits === 5 && bytes[at + 16 + l] & high2 ? 16 : 0;
        out[y++] = f32(d2 * ((bytes[ql + l] >> 4) + h)) - m2;
      }
    }
  }
}

/** Q4_K: 8 groups of 32, 6-bit scales and mins. */
export function decodeQ4_K(bytes: Uint8Array, out: Float32Array): void {
  decodeQ45K(bytes, out, 4);
}

/** Q5_K: Q4_K with a fifth code bit per value. */
export function decodeQ5_K(bytes: Uint8Array, out: Float32Array): void {
  decodeQ45K(bytes, out, 5);
}

/** Q6_K: value = d·scale·(code − 32), int8 scale per 16 values. */
export function decodeQ6_K(bytes: Uint8Array, out: Float32Array): void {
  const table = halfTable();
  const signed = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let at = 0, y = 0; y < out.length; at += Q6_K_BLOCK_BYTES) {
    const d = halfAt(bytes, at + 208, table);
    for (let n = 0; n < 2; n++, y += 128) {
      const ql = at + 64 * n;
      const qh = at + 128 + 32 * n;
      const sc = at + 192 + 8 * n;
      for (let l = 0; l < 32; l++) {
        const is = l >> 4;
        const h = bytes[qh + l];
        const q1 = ((bytes[ql + l] & 0xf) | ((h & 3) << 4)) - 32;
        const q2 = ((bytes[ql + l + 32] & 0xf) | (((h >> 2) & 3) << 4)) - 32;
        const q3 = ((bytes[ql + l] >> 4) | (((h >> 4) & 3) << 4)) - 32;
        const q4 = ((bytes[ql + l + 32] >> 4) | (((h >> 6) & 3) << 4)) - 32;
        out[y + l] = f32(d * signed[sc + is]) * q1;
        out[y + l + 32] = f32(d * signed[sc + is + 2]) * q2;
        out[y + l + 64] = f32(d * signed[sc + is + 4]) * q3;
        out[y + l + 96] = f32(d * signed[sc + is + 6]) * q4;
      }
    }
  }
}
