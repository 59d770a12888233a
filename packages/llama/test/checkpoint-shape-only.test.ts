// readCheckpointShape (what `wafer estimate` reads of a checkpoint): the same shape loadModel finds, in every
// format, tied or not, from the header alone: a 27 GB llama2.c file that is all holes answers at once.

import { closeSync, openSync, ftruncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel, readCheckpointShape, writeGguf, writeHfDirectory, writeLlama2c } from '../src/checkpoint/index.js';
import { llama2cSections } from '../src/checkpoint/llama2c.js';
import { synthesize, synthShape } from '../src/synth/index.js';
import { STORIES_BIN, STORIES_GGUF, expectWaferError, tempDir } from './checkpoint-fixtures.js';

const tmp = tempDir();
afterAll(tmp.remove);

const SHAPE_KEYS = ['dim', 'hiddenDim', 'nLayers', 'nHeads', 'nKvHeads', 'vocabSize', 'seqLen', 'headDim', 'sharedClassifier'] as const;
const shapeOf = (path: string) => {
  const c = loadModel(path).config;
  return Object.fromEntries(SHAPE_KEYS.map((k) => [k, c[k]]));
};

describe('readCheckpointShape', () => {
  // llama-gqa-tiny's widths, untied, with llama2.c's RoPE (a .bin has no field for Llama 3's)
  const { ropeScaling: _llama3, ...gqa } = synthShape('llama-gqa-tiny');
  const untied = synthesize({ ...gqa, ropeTheta: 10000, sharedClassifier: false }, 3);
  const untiedBin = join(tmp.dir, 'untied.bin');
  const untiedGguf = join(tmp.dir, 'untied.gguf');
  const untiedHf = join(tmp.dir, 'untied-hf');
  const tiedHf = join(tmp.dir, 'stories260K-hf');
  writeLlama2c(untiedBin, untied);
  writeGguf(untiedGguf, untied, { dtype: 'F32' });
  writeHfDirectory(untiedHf, untied, { shards: 2, dtype: 'F32', tokenizerJson: '{}' });
  writeHfDirectory(tiedHf, loadModel(STORIES_BIN), { shards: 1, dtype: 'F32', tokenizerJson: '{}' });

  it.each([
    ['stories260K .bin (tied)', STORIES_BIN],
    ['stories260K .gguf (tied)', STORIES_GGUF],
    ['stories260K HF directory (tied)', tiedHf],
    ['GQA .bin (untied)', untiedBin],
    ['GQA .gguf (untied)', untiedGguf],
    ['GQA HF directory (untied)', untiedHf],
  ])('%s: the shape loadModel finds', (_, path) => {
    expect(readCheckpointShape(path)).toEqual(shapeOf(path));
  });

  it('reads only the header: a Llama-2-7B-shaped llama2.c file of 27 GB, all holes, answers at once', () => {
    const config = { dim: 4096, hiddenDim: 11008, nLayers: 32, nHeads: 32, nKvHeads: 32, vocabSize: 32000, seqLen: 2048, headDim: 128 };
    const path = join(tmp.dir, 'llama2-7b-sparse.bin');
    const header = new Int32Array([config.dim, config.hiddenDim, config.nLayers, config.nHeads, config.nKvHeads, -config.vocabSize, config.seqLen]);
    const floats = llama2cSections({ ...config, normEps: 1e-5, ropeTheta: 10000, sharedClassifier: false }).reduce((sum, s) => sum + s.floats, 0);
    const fd = openSync(path, 'w');
    writeSync(fd, new Uint8Array(header.buffer));
    ftruncateSync(fd, 28 + 4 * floats); // a sparse file: no data is written
    closeSync(fd);
    const t0 = performance.now();
    expect(readCheckpointShape(path)).toEqual({ ...config, sharedClassifier: false });
    expect(28 + 4 * floats).toBeGreaterThan(26e9);
    expect(performance.now() - t0).toBeLessThan(5000); // reading 27 GB would take minutes (and 27 GB of memory)
  });

  it('checks the header against the file as loadModel does: a cut llama2.c file is FILE_TRUNCATED', () => {
    const path = join(tmp.dir, 'cut.bin');
    const fd = openSync(path, 'w');
    writeSync(fd, new Uint8Array(new Int32Array([64, 172, 5, 8, 4, 512, 512]).buffer));
    ftruncateSync(fd, 1000);
    closeSync(fd);
    expectWaferError(() => readCheckpointShape(path), 'FILE_TRUNCATED', path, 'but the file has 1000');
  });
});
