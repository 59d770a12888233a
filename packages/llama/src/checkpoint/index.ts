// Public API of the checkpoint readers and writers.

export { loadModel, readCheckpointShape, type CheckpointShape, type LoadModelOptions } from './load.js';
export { readLlama2c, readLlama2cBytes, parseLlama2cHeader } from './llama2c.js';
export { writeLlama2c } from './llama2c-write.js';
export { readGguf, readGgufBytes } from './gguf-read.js';
export { parseGguf, parseGgufHeader, checkGgufExtents, hasGgufMagic } from './gguf-parse.js';
export { writeGguf, type WriteGgufOptions, type GgufTokenizerData, type GgufWriteSummary } from './gguf-write.js';
export { GGML_TYPE_LAYOUTS, GGUF_FILE_TYPE, GgmlType, ggmlTypeName } from './gguf-types.js';
export type { GgufFile, GgufHeader, GgufTensorInfo, GgufEntry, GgufValue, GgufArray, GgmlTypeName, GgmlTypeLayout } from './gguf-types.js';
export { GGML_CODECS, WRITABLE_TYPE_NAMES, codecByName, typeForRows, type GgmlCodec } from './quants/index.js';
export { ggufMixLabel } from './gguf-mix.js';
export { readHfDirectory, parseWeightMap } from './hf-dir.js';
export { parseHfConfig, type HfConfig } from './hf-config.js';
export { writeHfDirectory, type WriteHfOptions } from './hf-write.js';
export { parseSafetensors, writeSafetensors, decodeSafetensor, type SafetensorsFile, type SafetensorsEntry } from './safetensors.js';
export { rotateHalfToAdjacentRows, adjacentToRotateHalfRows } from './rope-permute.js';
export { expectedTensorShapes, CONFIG_LIMITS } from './model-check.js';
