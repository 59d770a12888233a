// Hugging Face directories stored in BF16 and F16 load close to the float32 original (within the
// dtype's rounding: BF16 keeps 8 significant bits, F16 11) and report their source dtype.

import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel, writeHfDirectory } from '../src/checkpoint/index.js';
import { STORIES_BIN, tempDir } from './checkpoint-fixtures.js';

const tmp = tempDir();
afterAll(tmp.remove);
const bin = loadModel(STORIES_BIN);

/** Per-element bound on |stored - original| for round-to-nearest in each dtype. */
const BOUNDS = {
  BF16: (x: number) => Math.abs(x) * 2 ** -8, // no subnormal concern: bf16 has float32's exponent range
  F16: (x: number) => Math.abs(x) * 2 ** -11 + 2 ** -25,
};

describe('Hugging Face BF16 and F16 weights', () => {
  for (const dtype of ['BF16', 'F16'] as const) {
    it(`${dtype} loads within rounding of the float32 weights`, () => {
      const dir = join(tmp.dir, dtype);
      writeHfDirectory(dir, bin, { shards: 2, dtype });
      const back = loadModel(dir);
      expect(back.config).toEqual(bin.config);
      let worst = { name: '', index: -1, excess: 0 };
      let maxError = 0;
      for (const [name, tensor] of bin.tensors) {
        const got = back.tensors.get(name)!;
        expect(got.sourceDtype, name).toBe(dtype);
        for (let i = 0; i < tensor.data.length; i++) {
          const error = Math.abs(got.data[i] - tensor.data[i]);
          maxError = Math.max(maxError, error);
          const excess = error - BOUNDS[dtype](tensor.data[i]);
          if (excess > worst.excess) worst = { name, index: i, excess };
        }
      }
      expect(worst.index, `${worst.name}[${worst.index}] exceeds the ${dtype} bound`).toBe(-1);
      expect(maxError).toBeGreaterThan(0); // the weights really went through the narrower dtype
    });
  }
});
