// Writer of llama2.c legacy `.bin` checkpoints (the layout readLlama2c and run.c read). The RoPE tables,
// which run.c skips, are written as zeros.

import { closeSync, openSync } from 'node:fs';
import { WaferError } from '@wafer/arch';
import type { ModelDescription } from '../model/types.js';
import { assertLittleEndianHost, writeAll, writeZeros } from './file-bytes.js';
import { float32Bytes } from './dtype-codec.js';
import { checkModelDescription } from './model-check.js';
import { LLAMA2C_HEADER_BYTES, LLAMA2C_NORM_EPS, LLAMA2C_ROPE_THETA, llama2cSections } from './llama2c.js';

/**
 * Writes `model` as a llama2.c legacy checkpoint: vocab_size is negative when the classifier is not shared
 * (then `output` follows the RoPE tables). The format has no room for another RMSNorm epsilon, RoPE theta or
 * RoPE scaling, so a model with those is UNSUPPORTED rather than silently changed.
 */
export function writeLlama2c(path: string, model: ModelDescription): void {
  assertLittleEndianHost();
  const c = model.config;
  const unsupported = (what: string): never => {
    throw new WaferError('UNSUPPORTED', `cannot write ${path} as llama2.c .bin: ${what}`);
  };
  if (Math.fround(c.normEps) !== Math.fround(LLAMA2C_NORM_EPS)) unsupported(`RMSNorm epsilon ${c.normEps} is not 1e-5`);
  if (c.ropeTheta !== LLAMA2C_ROPE_THETA) unsupported(`RoPE theta ${c.ropeTheta} is not 10000`);
  if (c.ropeScaling || c.ropeFreqFactors) unsupported('the format cannot express RoPE scaling');
  if (c.headDim * c.nHeads !== c.dim) unsupported(`head_dim ${c.headDim} × n_heads ${c.nHeads} is not dim ${c.dim}`);
  checkModelDescription(model);

  const header = new Int32Array([c.dim, c.hiddenDim, c.nLayers, c.nHeads, c.nKvHeads, c.sharedClassifier ? c.vocabSize : -c.vocabSize, c.seqLen]);
  const fd = openSync(path, 'w');
  try {
    writeAll(fd, new Uint8Array(header.buffer, 0, LLAMA2C_HEADER_BYTES));
    for (const section of llama2cSections(c)) {
      if (section.name === 'rope_tables') {
        writeZeros(fd, 4 * section.floats);
      } else if (section.name === 'token_embd' || section.name === 'output_norm' || section.name === 'output') {
        writeAll(fd, float32Bytes(model.tensors.get(section.name)!.data));
      } else {
        for (let l = 0; l < c.nLayers; l++) writeAll(fd, float32Bytes(model.tensors.get(`blk.${l}.${section.name}`)!.data));
      }
    }
  } finally {
    closeSync(fd);
  }
}
