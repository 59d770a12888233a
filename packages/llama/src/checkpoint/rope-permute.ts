// Row permutations of q/k projection matrices between the two RoPE conventions: adjacent pairs
// (llama2.c, GGUF, our model) and rotate-half (Hugging Face, whose rows llama.cpp's converter permutes).

import { invariant } from '@wafer/arch';

/**
 * Hugging Face rotate-half rows → adjacent-pair rows, the inverse of llama.cpp's `permute` in
 * convert_hf_to_gguf.py. Within each head of `headDim` rows, HF row i (i < headDim/2) becomes row 2i and
 * HF row headDim/2 + i becomes row 2i + 1. `data` is row-major [nHeads*headDim, cols]; returns a new array.
 */
export function rotateHalfToAdjacentRows(data: Float32Array, nHeads: number, headDim: number): Float32Array {
  return permuteRows(data, nHeads, headDim, (i, j) => [j * (headDim / 2) + i, 2 * i + j]);
}

/** Adjacent-pair rows → Hugging Face rotate-half rows (llama.cpp's `permute` run backwards); see above. */
export function adjacentToRotateHalfRows(data: Float32Array, nHeads: number, headDim: number): Float32Array {
  return permuteRows(data, nHeads, headDim, (i, j) => [2 * i + j, j * (headDim / 2) + i]);
}

/** Copies whole rows within each head: `map(i, j)` gives [source row, destination row] for pair i, member j. */
function permuteRows(data: Float32Array, nHeads: number, headDim: number, map: (i: number, j: number) => [number, number]): Float32Array {
  invariant(headDim % 2 === 0, 'RoPE head size is even');
  invariant(data.length % (nHeads * headDim) === 0, 'q/k rows are nHeads × headDim');
  const cols = data.length / (nHeads * headDim);
  const out = new Float32Array(data.length);
  for (let h = 0; h < nHeads; h++) {
    for (let i = 0; i < headDim / 2; i++) {
      for (let j = 0; j < 2; j++) {
        const [from, to] = map(i, j);
        const src = (h * headDim + from) * cols;
        out.set(data.subarray(src, src + cols), (h * headDim + to) * cols);
      }
    }
  }
  return out;
}
