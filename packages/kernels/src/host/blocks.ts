// Host-side block arithmetic: how a matrix is split over the mesh, and cutting/pasting row-major blocks.

import { evenSplit } from '@wafer/arch';

/** Sizes and starting offsets of `n` items split into `parts` near-equal blocks. */
export interface Split {
  sizes: number[];
  offsets: number[];
}

export function split(n: number, parts: number): Split {
  const sizes = evenSplit(n, parts);
  const offsets: number[] = [];
  let o = 0;
  for (const s of sizes) {
    offsets.push(o);
    o += s;
  }
  return { sizes, offsets };
}

/** Copies rows [r0, r0+rows) × cols [c0, c0+cols) of a row-major matrix with `stride` columns. */
export function cutBlock(mat: Float32Array, stride: number, r0: number, rows: number, c0: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) out.set(mat.subarray((r0 + r) * stride + c0, (r0 + r) * stride + c0 + cols), r * cols);
  return out;
}

/** Writes a rows × cols block into a row-major matrix with `stride` columns at (r0, c0). */
export function pasteBlock(mat: Float32Array, stride: number, r0: number, c0: number, block: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) mat.set(block.subarray(r * cols, (r + 1) * cols), (r0 + r) * stride + c0);
}
