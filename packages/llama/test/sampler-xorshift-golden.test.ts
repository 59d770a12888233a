// The sampler's random stream is run.c's random_u32/random_f32 (xorshift64*). Expected values printed by those
// two C functions compiled with gcc -O2 on x86-64.

import { describe, expect, test } from 'vitest';
import { XorshiftRng } from '../src/generate/index.js';

const golden = [
  { seed: 1, u32: [1206177355, 2882512552, 3117485455, 1303648416, 241277360], f32: [0.782826126, 0.81376183, 0.673607588] },
  { seed: 42, u32: [1456360119, 3359763283, 3393612768, 4054632243, 3283045847], f32: [0.835739851, 0.204219699, 0.439811587] },
  { seed: 1234567890123, u32: [4023144865, 3047608580, 1251579461, 1373490368, 441344729], f32: [0.78330332, 0.857696474, 0.803809464] },
];

describe('run.c xorshift64*', () => {
  test.each(golden)('seed $seed: five random_u32 then three random_f32', ({ seed, u32, f32 }) => {
    const rng = new XorshiftRng(seed);
    expect(u32.map(() => rng.nextU32())).toEqual(u32);
    for (const expected of f32) expect(Math.fround(rng.nextF32())).toBe(Math.fround(expected));
  });
});
