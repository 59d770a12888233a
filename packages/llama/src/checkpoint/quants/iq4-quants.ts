// ggml's non-linear 4-bit types: IQ4_NL (32-value blocks, one f16 scale) and IQ4_XS (256-value
// super-blocks of 8 groups with 6-bit scales). A 4-bit code indexes a fixed table of 16 int8 levels.
//
// Layouts (bytes): IQ4_NL d:f16 qs[16] · IQ4_XS d:f16 scales_h:u16 scales_l[4] qs[128]; qs nibble j holds
// value j (low) and j+16 (high) of a 32-value group. IQ4_XS group scale = (6-bit code − 32).

import { halfAt, halfTable } from '../dtype-codec.js';
import { asHalf, clampRound, fitLevels, fitUniform, levelMidpoints, nearestLevel, putHalf } from './quant-fit.js';

const f32 = Math.fround;
export const IQ4_NL_BLOCK_VALUES = 32;
export const IQ4_NL_BLOCK_BYTES = 18;
export const IQ4_XS_BLOCK_VALUES = 256;
export const IQ4_XS_BLOCK_BYTES = 136;

/** The 16 levels a code stands for (ggml's kvalues_iq4nl). */
export const IQ4_LEVELS: readonly number[] = [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113];

const MIDPOINTS = levelMidpoints(IQ4_LEVELS);

/** Decodes one 32-value group: 16 bytes of codes at `qs`, scale `dl`, into out[y .. y+32). */
function decodeGroup(bytes: Uint8Array, qs: number, dl: number, out: Float32Array, y: number): void {
  for (let j = 0; j < 16; j++) {
    const q = bytes[qs + j];
    out[y + j] = dl * IQ4_LEVELS[q & 0xf];
    out[y + j + 16] = dl * IQ4_LEVELS[q >> 4];
  }
}

/** IQ4_NL: value = d·level[code]. */
export function decodeIQ4_NL(bytes: Uint8Array, out: Float32Array): void {
  const table = halfTable();
  for (let at = 0, y = 0; y < out.length; at += IQ4_NL_BLOCK_BYTES, y += 32) {
    decodeGroup(bytes, at + 2, halfAt(bytes, at, table), out, y);
  }
}

/** IQ4_XS: value = d·(groupScale − 32)·level[code]. */
export function decodeIQ4_XS(bytes: Uint8Array, out: Float32Array): void {
  const table = halfTable();
  for (let at = 0, y = 0; y < out.length; at += IQ4_XS_BLOCK_BYTES) {
    const d = halfAt(bytes, at, table);
    const scalesHigh = bytes[at + 2] | (bytes[at + 3] << 8);
    for (let ib = 0; ib < 8; ib++, y += 32) {
      const ls = ((bytes[at + 4 + (ib >> 1)] >> (4 * (ib % 2))) & 0xf) | (((scalesHigh >> (2 * ib)) & 3) << 4);
      decodeGroup(bytes, at + 8 + 16 * ib, f32(d * (ls - 32)), out, y);
    }
  }
}

/** Writes the codes of data[x0 .. x0+32) for scale `d` as 16 bytes at `at`. */
function encodeGroup(data: Float32Array, x0: number, d: number, out: Uint8Array, at: number): void {
  for (let j = 0; j < 16; j++) {
    const lo = d === 0 ? 8 : nearestLevel(data[x0 + j] / d, MIDPOINTS);
    const hi = d === 0 ? 8 : nearestLevel(data[x0 + j + 16] / d, MIDPOINTS);
    out[at + j] = lo | (hi << 4);
  }
}

/** Quantises to IQ4_NL (length a multiple of 32). A zero scale stores code 8 (level 1), decoded as 0. */
export function encodeIQ4_NL(data: Float32Array): Uint8Array {
  const out = new Uint8Array((data.length / 32) * IQ4_NL_BLOCK_BYTES);
  for (let x0 = 0, at = 0; x0 < data.length; x0 += 32, at += IQ4_NL_BLOCK_BYTES) {
    const d = asHalf(fitLevels(data, x0, 32, -127, IQ4_LEVELS, MIDPOINTS));
    putHalf(out, at, d);
    encodeGroup(data, x0, d, out, at + 2);
  }
  return out;
}

/** Quantises to IQ4_XS (length a multiple of 256): group scales fitted, then coded in 6 bits against d. */
export function encodeIQ4_XS(data: Float32Array): Uint8Array {
  const out = new Uint8Array((data.length / 256) * IQ4_XS_BLOCK_BYTES);
  const scales = new Float64Array(8);
  for (let x0 = 0, at = 0; x0 < data.length; x0 += 256, at += IQ4_XS_BLOCK_BYTES) {
    for (let ib = 0; ib < 8; ib++) scales[ib] = fitLevels(data, x0 + 32 * ib, 32, -127, IQ4_LEVELS, MIDPOINTS);
    const d = asHalf(fitUniform(scales, 0, 8, -32, -32, 31));
    putHalf(out, at, d);
    let scalesHigh = 0;
    for (let ib = 0; ib < 8; ib++) {
      const ls = d === 0 ? 0 : clampRound(scales[ib] / d, -32, 31);
      const code = ls + 32;
      out[at + 4 + (ib >> 1)] |= (code & 0xf) << (4 * (ib % 2));
      scalesHigh |= (code >> 4) << (2 * ib);
      encodeGroup(data, x0 + 32 * ib, f32(d * ls), out, at + 8 + 16 * ib);
    }
    out[at + 2] = scalesHigh & 0xff;
    out[at + 3] = scalesHigh >> 8;
  }
  return out;
}
