// Public API of the checkpoint readers and writers.

export { loadModel, type LoadModelOptions } from './load.js';
export { readLlama2c } from './llama2c.js';
export { writeLlama2c } from './llama2c-write.js';
export { readGguf } from './gguf-read.js';
export { parseGguf, hasGgufMagic } from './gguf-parse.js';
export { writeGguf, type WriteGgufOptions, type GgufTokenizerData } from './gguf-write.js';
export type { GgufFile, GgufTensorInfo, GgufEntry, GgufValue, GgufArray } from './gguf-types.js';
export { readHfDirectory } from './hf-dir.js';
export { writeHfDirectory, type WriteHfOptions } from './hf-write.js';
export { parseSafetensors, writeSafetensors } from './safetensors.js';
export { rotateHalfToAdjacentRows, adjacentToRotateHalfRows } from './rope-permute.js';
export { expectedTensorShapes, CONFIG_LIMITS } from './model-check.js';
