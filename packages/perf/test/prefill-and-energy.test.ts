// Prefill adds up its named pieces (GEMMs dominate a 4K prompt), TTFT shrinks as the grid grows from 480²
// to 720², the 'paper' convention is one layer × the layer count, and energy is power × time.
import { describe, expect, it } from 'vitest';
import { decodeStep, energyJoules, modelShape, prefill, PREFILL_OPS } from '../src/index.js';
import { preset } from './presets.js';

const wse2 = preset('wse2');

describe('prefill', () => {
  it('a layer is the sum of its pieces; TTFT falls from 480² to 720²', () => {
    const shape = modelShape('llama3-8b');
    const runs = [480, 600, 720].map((p) => prefill(wse2, shape, { mesh: p, promptTokens: 4096, convention: 'paper' }));
    for (const r of runs) {
      expect(r.layerCycles).toBe(PREFILL_OPS.reduce((s, k) => s + r.perLayer[k], 0));
      expect(r.totalCycles).toBe(r.layerCycles * shape.nLayers);
      expect(r.perLayer.qkv + r.perLayer.upGate + r.perLayer.down).toBeGreaterThan(r.layerCycles / 2);
      expect(r.tokensPerSecond).toBeCloseTo(4096 / r.ttftSeconds, 6);
    }
    expect(runs[1].ttftSeconds).toBeLessThan(runs[0].ttftSeconds);
    expect(runs[2].ttftSeconds).toBeLessThan(runs[1].ttftSeconds);
  });
  it('a longer prompt costs more per layer', () => {
    const shape = modelShape('tinyllama-1.1b');
    const short = prefill(wse2, shape, { mesh: 240, promptTokens: 512 });
    const long = prefill(wse2, shape, { mesh: 240, promptTokens: 2048 });
    expect(long.layerCycles).toBeGreaterThan(short.layerCycles);
  });
});

describe('energy', () => {
  it('joules = powerWatts × cycles / clockHz', () => {
    expect(energyJoules(wse2, 1.1e9)).toBeCloseTo(15000, 6);
    const step = decodeStep(wse2, modelShape('llama3-8b'), { mesh: 660, context: 4096, convention: 'paper' });
    expect(step.joulesPerToken).toBeCloseTo(15000 / step.tokensPerSecond, 6);
  });
});
