// Longest decode output: the shift-based KV cache (new entries spread over all rows) holds about P times
// more tokens than a concatenated one (every new entry on one row): hundreds of times for Llama3-8B.
import { describe, expect, it } from 'vitest';
import { maxDecodeOutput, modelShape } from '../src/index.js';
import { preset } from './presets.js';

const wse2 = preset('wse2');

describe('max decode output, shift vs concat', () => {
  for (const p of [240, 360, 480, 720]) {
    it(`Llama3-8B at ${p}x${p}`, () => {
      const opts = { mesh: p, promptTokens: 1024 };
      const shift = maxDecodeOutput(wse2, modelShape('llama3-8b'), { ...opts, cache: 'shift' });
      const concat = maxDecodeOutput(wse2, modelShape('llama3-8b'), { ...opts, cache: 'concat' });
      expect(shift.fits).toBe(true);
      expect(concat.maxOutputTokens).toBeGreaterThan(0);
      expect(shift.maxOutputTokens / concat.maxOutputTokens).toBeGreaterThan(p / 2);
      expect(shift.maxContext).toBe(shift.positionsPerCore * p);
    });
  }
  it('Llama3-8B at 180x180: the classifier and embedding blocks alone overflow a core', () => {
    // ⌈4096/180⌉ = 23 rows × ⌈128256/180⌉ = 713 vocabulary columns, twice (classifier and embedding), fp16.
    const r = maxDecodeOutput(wse2, modelShape('llama3-8b'), { mesh: 180, promptTokens: 1024, cache: 'shift' });
    expect([r.fits, r.maxOutputTokens]).toEqual([false, 0]);
  });
  it('a prompt that does not fit leaves no room for output', () => {
    const r = maxDecodeOutput(wse2, modelShape('llama3-8b'), { mesh: 480, promptTokens: 10_000_000, cache: 'shift' });
    expect([r.maxOutputTokens, r.maxContext]).toEqual([0, 0]);
  });
  it('Llama2-13B after 1,024 tokens: none in 480x480 regions, thousands over the pooled wafer (the paper\'s accounting)', () => {
    const at = (cores: 'regions' | 'wafer' | 'pooled') => maxDecodeOutput(wse2, modelShape('llama2-13b'), { mesh: 480, promptTokens: 1024, cache: 'shift', cores }).maxOutputTokens;
    // Two 480x480 regions (61% of the 996x757 cores) cannot hold 26 GB of weights; the whole array with even blocks
    // (the busiest core counted) leaves room for ~2 positions per core; pooled, 37 GB − 26 GB of KV room.
    expect(at('regions')).toBe(0);
    expect(at('wafer')).toBeGreaterThan(500);
    expect(at('pooled')).toBeGreaterThan(5000);
  });
});
