// The prefill calibration target: WaferLLM Table 3, Llama3-8B, a 4,096-token prompt on WSE-2 (paper convention),
// within 5% at 480², 600² and 720²; and the authors' local multiply on a tile counted by hand.
import { describe, expect, it } from 'vitest';
import { authorsLocalGemmCycles, modelShape, prefill } from '../src/index.js';
import { preset } from './presets.js';

const spec = preset('wse2');

describe('prefill reproduces WaferLLM Table 3 (Llama3-8B, 4,096 tokens)', () => {
  for (const [p, paper] of [[480, 20320.6], [600, 25037.2], [720, 27686.5]] as const) {
    it(`${p}x${p}: ${paper} tokens/s`, () => {
      const r = prefill(spec, modelShape('llama3-8b'), { mesh: p, promptTokens: 4096, convention: 'paper' });
      expect(Math.abs(r.tokensPerSecond / paper - 1)).toBeLessThan(0.05);
    });
  }

  it("the authors' 9x9x9 local multiply: 9 loop iterations of 9 @fmach over 9-value columns", () => {
    // Column j starts 9j values in, (9j mod 4) into a 4-value SRAM word: offsets 0,1,2,3,0,1,2,3,0, each op touches
    // 3 words; the 6 unaligned columns pay 1 more. Per k: 38 + 9·(3 issue + 3 words) + 6 = 98; × 9 = 882.
    expect(authorsLocalGemmCycles(spec, 9, 9, 9)).toBe(882);
  });

  it('on a fixed grid, halving the prompt does not halve the time: per-op costs stay', () => {
    const t = (T: number) => prefill(spec, modelShape('llama3-8b'), { mesh: 660, promptTokens: T, convention: 'paper' }).ttftSeconds;
    expect(t(2048) / t(4096)).toBeGreaterThan(0.7);
  });
});
