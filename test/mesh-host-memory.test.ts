// Host memory: a model or mesh whose placement would not fit in what this process may still use is refused
// before anything is placed (HOST_MEMORY, naming the bytes it would need); the estimate counts every core's
// float32 copy, the fabric and the staging; the wafer-scale benchmark's layouts stay well inside a machine.
import { afterEach, describe, expect, it } from 'vitest';
import { Fabric, fabricHostBytes, hostMemoryAvailable, liveFabricThreads } from '@wafer/fabric';
import { decodeLayout, loadModel, MeshLlama, parameterCount, placementHostBytes, ropeFrequencies } from '@wafer/llama';
import type { LlamaConfig } from '@wafer/llama';
import { preset } from './helpers/machines.js';
import { wafer } from './helpers/cli.js';

const BIN = new URL('../models/stories260K/stories260K.bin', import.meta.url).pathname;
const layoutOf = (config: LlamaConfig, p: number) => decodeLayout(config, { rows: p, cols: p }, ropeFrequencies(config));

afterEach(() => {
  delete process.env.WAFER_HOST_MEMORY_BYTES;
});

describe('placement against host memory', () => {
  it('the engine refuses before placing, naming the bytes it would need and the bytes available', async () => {
    const model = loadModel(BIN);
    process.env.WAFER_HOST_MEMORY_BYTES = '1000000';
    const error = await MeshLlama.create(model, { mesh: { rows: 8, cols: 8 }, threads: 2, machine: preset('wse2') }).catch((e) => e);
    expect(error.code).toBe('HOST_MEMORY');
    const m = /^placing .*stories260K\.bin on a 8x8 mesh needs about [\d.]+ MiB \((\d+) bytes\) of host memory, more than the 976\.6 KiB \(1000000 bytes\) this process may still use \(WAFER_HOST_MEMORY_BYTES\)/.exec(error.message);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(placementHostBytes(layoutOf(model.config, 8), 2)); // with the prefill weights
    expect(liveFabricThreads()).toBe(0); // no worker was started
  });

  it('wafer run: exit 1 with one line, and with --json one error object', async () => {
    process.env.WAFER_HOST_MEMORY_BYTES = '1000000';
    const r = await wafer('run', '-n', '4');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^wafer: placing .* needs about .* bytes\) of host memory, more than .*\n$/);
    const j = await wafer('run', '-n', '4', '--json');
    expect(JSON.parse(j.stdout).error.code).toBe('HOST_MEMORY');
  });

  it('a fabric alone is refused the same way', async () => {
    process.env.WAFER_HOST_MEMORY_BYTES = '1000';
    await expect(Fabric.start({ machine: preset('dev'), mesh: { rows: 4, cols: 5 }, threads: 3 })).rejects.toThrow(
      `a 4x5 fabric on 3 threads needs about 96.1 MiB (${fabricHostBytes({ rows: 4, cols: 5 }, 3)} bytes) of host memory, more than the 1000 bytes`,
    );
    expect(liveFabricThreads()).toBe(0);
  });

  it('WAFER_HOST_MEMORY_BYTES must be a number of bytes', () => {
    expect(() => hostMemoryAvailable({ WAFER_HOST_MEMORY_BYTES: '1GB' })).toThrow('WAFER_HOST_MEMORY_BYTES=1GB is not a whole number of bytes');
    expect(hostMemoryAvailable({ WAFER_HOST_MEMORY_BYTES: '12345' })).toEqual({ bytes: 12345, source: 'WAFER_HOST_MEMORY_BYTES' });
  });

  it('the estimate counts at least every weight as float32 in a worker, and the fabric', () => {
    const model = loadModel(BIN);
    const need = placementHostBytes(layoutOf(model.config, 8), 2);
    expect(need).toBeGreaterThan(4 * parameterCount(model.config) + fabricHostBytes({ rows: 8, cols: 8 }, 2));
  });

  it("the wafer-scale benchmark's Llama3-8B layer on 420x420 needs under 4 GiB: not refused on a machine with that free", () => {
    const llama3: LlamaConfig = { dim: 4096, hiddenDim: 14336, nLayers: 1, nHeads: 32, nKvHeads: 8, headDim: 128, vocabSize: 512, seqLen: 4096, normEps: 1e-5, ropeTheta: 500000, sharedClassifier: true };
    const paper: LlamaConfig = { ...llama3, dim: 4200, hiddenDim: 14700, nHeads: 1, nKvHeads: 1, headDim: 4200 };
    for (const config of [llama3, paper]) {
      const need = placementHostBytes(layoutOf(config, 420), 2);
      expect(need).toBeGreaterThan(4 * parameterCount(config));
      expect(need).toBeLessThan(4 * 2 ** 30);
    }
  });
});
