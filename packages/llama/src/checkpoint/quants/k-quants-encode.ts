// Encoders of ggml's K-quants (layouts in k-quants-decode.ts). Each group's scale (and min) is fitted by
// least squares, the group scales are coded against the super-block's f16 scale(s), and the values are
// re-coded with the scales a decoder will actually read.

import { QK_K, Q2_K_BLOCK_BYTES, Q3_K_BLOCK_BYTES, Q4_K_BLOCK_BYTES, Q5_K_BLOCK_BYTES, Q6_K_BLOCK_BYTES } from './k-quants-decode.js';
import { affineCode, asHalf, clampRound, fitAffine, fitUniform, putHalf } from './quant-fit.js';

const f32 = Math.fround;

/** Affine groups of one super-block: fitted scales and mins coded in `scaleBits` against d and dmin. */
interface AffineScales {
  d: number;
  dmin: number;
  scaleCodes: Uint8Array;
  minCodes: Uint8Array;
}

/** Fits every group of x[x0 .. x0+256) (group size `group`, codes 0..nmax) and codes their scales and mins. */
function affineScales(x: Float32Array, x0: number, group: number, nmax: number, scaleBits: number): AffineScales {
  const groups = QK_K / group;
  const scales = new Float32Array(groups);
  const mins = new Float32Array(groups);
  for (let j = 0; j < groups; j++) {
    const fit = fitAffine(x, x0 + j * group, group, nmax);
    scales[j] = fit.scale;
    mins[j] = fit.min;
  }
  const codeMax = (1 << scaleBits) - 1;
  const d = asHalf(fitUniform(scales, 0, groups, codeMax, 0, codeMax));
  const dmin = asHalf(fitUniform(mins, 0, groups, codeMax, 0, codeMax));
  const scaleCodes = scales.map((s) => (d === 0 ? 0 : clampRound(s / d, 0, codeMax)));
  const minCodes = mins.map((m) => (dmin === 0 ? 0 : clampRound(m / dmin, 0, codeMax)));
  return { d, dmin, scaleCodes: Uint8Array.from(scaleCodes), minCodes: Uint8Array.from(minCodes) };
}

/** Codes x[x0 .. x0+256) affinely with the coded group scales: codes 0..nmax into `codes`. */
function affineCodes(x: Float32Array, x0: number, group: number, nmax: number, s: AffineScales, codes: Uint8Array): void {
  for (let j = 0; j < QK_K / group; j++) {
    const dl = f32(s.d * s.scaleCodes[j]);
    const ml = f32(s.dmin * s.minCodes[j]);
    for (let i = 0; i < group; i++) codes[j * group + i] = affineCode(x[x0 + j * group + i], dl, ml, nmax);
  }
}

/** Packs 256 2-bit codes as Q2_K/Q3_K do: byte l of each 128-value half holds values l, l+32, l+64, l+96. */
function packTwoBit(codes: Uint8Array, out: Uint8Array, at: number): void {
  for (let n = 0; n < 2; n++) {
    for (let l = 0; l < 32; l++) {
      const c = 128 * n + l;
      out[at + 32 * n + l] = (codes[c] & 3) | ((codes[c + 32] & 3) << 2) | ((codes[c + 64] & 3) << 4) | ((codes[c + 96] & 3) << 6);
    }
  }
}

/** Quantises to Q2_K (length a multiple of 256). */
export function encodeQ2_K(data: Float32Array): Uint8Array {
  const out = new Uint8Array((data.length / QK_K) * Q2_K_BLOCK_BYTES);
  const codes = new Uint8Array(QK_K);
  for (let x0 = 0, at = 0; x0 < data.length; x0 += QK_K, at += Q2_K_BLOCK_BYTES) {
    const s = affineScales(data, x0, 16, 3, 4);
    for (let j = 0; j < 16; j++) out[at + j] = s.scaleCodes[j] | (s.minCodes[j] << 4);
    affineCodes(data, x0, 16, 3, s, codes);
    packTwoBit(codes, out, at + 16);
    putHalf(out, at + 80, s.d);
    putHalf(out, at + 82, s.dmin);
  }
  return out;
}

/** Symmetric groups of one super-block: each group's scale coded as a signed integer against d. */
function symmetricScales(x: Float32Array, x0: number, group: number, extreme: number, scaleLo: number, scaleHi: number): { d: number; codes: Int32Array } {
  const groups = QK_K / group;
  const scales = new Float32Array(groups);
  for (let j = 0; j < groups; j++) scales[j] = fitUniform(x, x0 + j * group, group, -extreme, -extreme, extreme - 1);
  const d = asHalf(fitUniform(scales, 0, groups, scaleLo, scaleLo, scaleHi));
  return { d, codes: Int32Array.from(scales, (s) => (d === 0 ? 0 : clampRound(s / d, scaleLo, scaleHi))) };
}

/** Codes x[x0 .. x0+256) with signed group scales d·codes[j]: values −extreme..extreme−1, stored + extreme. */
function symmetricCodes(x: Float32Array, x0: number, group: number, extreme: number, d: number, scaleCodes: Int32Array, codes: Uint8Array): void {
  for (let j = 0; j < QK_K / group; j++) {
    const dl = f32(d * scaleCodes[j]);
    for (let i = 0; i < group; i++) codes[j * group + i] = (dl === 0 ? 0 : clampRound(x[x0 + j * group + i] / dl, -extreme, extreme - 1)) + extreme;
  }
}

/** Quantises to Q3_K (length a multiple of 256). */
export function encodeQ3_K(data: Float32Array): Uint8Array {
  const out = new Uint8Array((data.length / QK_K) * Q3_K_BLOCK_BYTES);
  const codes = new Uint8Array(QK_K);
  for (let x0 = 0, at = 0; x0 < data.length; x0 += QK_K, at += Q3_K_BLOCK_BYTES) {
    const s = symmetricScales(data, x0, 16, 4, -32, 31);
    for (let j = 0; j < 16; j++) {
      const code = s.codes[j] + 32;
      if (j < 8) out[at + 96 + j] |= code & 0xf;
      else out[at + 96 + j - 8] |= (code & 0xf) << 4;
      out[at + 96 + 8 + (j % 4)] |= (code >> 4) << (2 * (j >> 2));
    }
    symmetricCodes(data, x0, 16, 4, s.d, s.codes, codes);
    for (let j = 0; j < QK_K; j++) {
      if (codes[j] > 3) out[at + (j % 32)] |= 1 << (j >> 5); // the third bit, in hmask
    }
    packTwoBit(codes, out, at + 32);
    putHalf(out, at + 108, s.d);
  }
  return out;
}

/** Packs 8 six-bit scales and mins into 12 bytes (the inverse of scaleMinK4). */
function packScaleMinK4(scaleCodes: Uint8Array, minCodes: Uint8Array, out: Uint8Array, at: number): void {
  for (let j = 0; j < 8; j++) {
    const ls = scaleCodes[j];
    const lm = minCodes[j];
    if (j < 4) {
      out[at + j] |= ls;
      out[at + j + 4] |= lm;
    } else {
      out[at + j + 4] = (ls & 0xf) | ((lm & 0xf) << 4);
      out[at + j - 4] |= (ls >> 4) << 6;
      out[at + j] |= (lm >> 4) << 6;
    }
  }
}

/** Q4_K (bits 4) or Q5_K (bits 5). */
function encodeQ45K(data: Float32Array, bits: 4 | 5): Uint8Array {
  const blockBytes = bits === 4 ? Q4_K_BLOCK_BYTES : Q5_K_BLOCK_BYTES;
  const nmax = (1 << bits) - 1;
  const out = new Uint8Array((data.length / QK_K) * blockBytes);
  const codes = new Uint8Array(QK_K);
  for (let x0 = 0, at = 0; x0 < data.length; x0 += QK_K, at += blockBytes) {
    const s = affineScales(data, x0, 32, nmax, 6);
    putHalf(out, at, s.d);
    putHalf(out, at + 2, s.dmin);
    packScaleMinK4(s.scaleCodes, s.minCodes, out, at + 4);
    affineCodes(data, x0, 32, nmax, s, codes);
    const ql = at + (bits === 4 ? 16 : 48);
    for (let n = 0; n < 4; n++) {
      for (let l = 0; l < 32; l++) {
        const lo = codes[64 * n + l];
        const hi = codes[64 * n + l + 32];
        out[ql + 32 * n + l] = (lo & 0xf) | ((hi & 0xf) << 4);
        if (bits === 5) out[at + 16 + l] |= ((lo >> 4) << (2 * n)) | ((hi >> 4) << (2 * n + 1));
      }
    }
  }
  return out;
}

/** Quantises to Q4_K (length a multiple of 256). */
export function encodeQ4_K(data: Float32Array): Uint8Array {
  return encodeQ45K(data, 4);
}

/** Quantises to Q5_K (length a multiple of 256). */
export function encodeQ5_K(data: Float32Array): Uint8Array {
  return encodeQ45K(data, 5);
}

/** Quantises to Q6_K (length a multiple of 256). */
export function encodeQ6_K(data: Float32Array): Uint8Array {
  const out = new Uint8Array((data.length / QK_K) * Q6_K_BLOCK_BYTES);
  const codes = new Uint8Array(QK_K);
  for (let x0 = 0, at = 0; x0 < data.length; x0 += QK_K, at += Q6_K_BLOCK_BYTES) {
    const s = symmetricScales(data, x0, 16, 32, -128, 127);
    for (let j = 0; j < 16; j++) out[at + 192 + j] = s.codes[j] & 0xff;
    symmetricCodes(data, x0, 16, 32, s.d, s.codes, codes);
    for (let n = 0; n < 2; n++) {
      const ql = at + 64 * n;
      const qh = at + 128 + 32 * n;
      const c = 128 * n;
      for (let l = 0; l < 32; l++) {
        out[ql + l] = (codes[c + l] & 0xf) | ((codes[c + l + 64] & 0xf) << 4);
        out[ql + l + 32] = (codes[c + l + 32] & 0xf) | ((codes[c + l + 96] & 0xf) << 4);
        out[qh + l] = (codes[c + l] >> 4) | ((codes[c + l + 32] >> 4) << 2) | ((codes[c + l + 64] >> 4) << 4) | ((codes[c + l + 96] >> 4) << 6);
      }
    }
    putHalf(out, at + 208, s.d);
  }
  return out;
}
