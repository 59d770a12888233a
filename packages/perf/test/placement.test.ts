// Layer placement under the SRAM budget: contiguous blocks cover every layer once; a small model runs on
// one region; a model too large for the machine is refused with DOES_NOT_FIT; hand-offs appear only
// between regions.
import { describe, expect, it } from 'vitest';
import { WaferError } from '@wafer/arch';
import { decodeStep, layerFootprint, modelShape, placeLayers, prefill } from '../src/index.js';
import { preset } from './presets.js';

const wse2 = preset('wse2');

describe('placing layers into regions', () => {
  it('stories260K fits one 8x8 region with every layer', () => {
    const pl = placeLayers(wse2, modelShape('stories260k'), { mesh: 8, context: 512 });
    expect(pl.fits).toBe(true);
    expect(pl.blocks).toEqual([{ region: 0, firstLayer: 0, layers: 5 }]);
    expect(decodeStep(wse2, modelShape('stories260k'), { mesh: 8, context: 512 }).handoffCycles).toBe(0);
  });
  it('Llama3-8B on 480x480 takes both regions, blocks contiguous, within SRAM', () => {
    const shape = modelShape('llama3-8b');
    const pl = placeLayers(wse2, shape, { mesh: 480, context: 4096 });
    expect(pl.fits).toBe(true);
    expect(pl.regionsNeeded).toBe(2);
    let next = 0;
    for (const b of pl.blocks) {
      expect(b.firstLayer).toBe(next);
      next += b.layers;
    }
    expect(next).toBe(shape.nLayers);
    expect(pl.peakBytesPerCore).toBeLessThanOrEqual(wse2.sramBytesPerCore);
    const step = decodeStep(wse2, shape, { mesh: 480, context: 4096 });
    expect(step.handoffCycles).toBeGreaterThan(0);
    expect(step.totalCycles).toBe(step.embedCycles + step.layerCycles + step.handoffCycles + step.classifierCycles);
  });
  it('weights per core: the 8B layer on 480x480, counted as the mesh decode layout places it', () => {
    // d=⌈4096/480⌉=9, kv units 2⌈512/480⌉=4 with nrep=4 query heads each, h=⌈14336/480⌉=30:
    // norms 2·9, q|k|v 9·6·4, O 4·4·9, gate|up 9·60, down 30·9 = 18+216+144+540+270 = 1188 values.
    expect(layerFootprint(wse2, modelShape('llama3-8b'), 480, 'real').weightBytes).toBe(2 * 1188);
  });
  it('Llama2-13B does not fit one 720x720 region: DOES_NOT_FIT names the shortfall', () => {
    const shape = modelShape('llama2-13b');
    expect(placeLayers(wse2, shape, { mesh: 720, context: 4096 }).fits).toBe(false);
    const err = (() => { try { prefill(wse2, shape, { mesh: 720, promptTokens: 4096 }); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(WaferError);
    expect((err as WaferError).code).toBe('DOES_NOT_FIT');
    expect((err as WaferError).message).toMatch(/llama2-13b.*720x720/);
  });
  it('a mesh larger than the machine is a usage error', () => {
    expect(() => placeLayers(wse2, modelShape('stories15m'), { mesh: 800, context: 16 })).toThrow(/does not fit machine wse2/);
  });
});
