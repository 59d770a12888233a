// The single-threaded reference engine: the narrated forward pass and its float32 building blocks.
export { ReferenceLlama } from './forward.js';
export { matmul, rmsnorm, softmax } from './float32-ops.js';
export { applyLlama3Scaling, ropeFrequencies, ropeRotation, rotateHead } from './rope.js';
export { checkConfig, referenceWeights, type LayerWeights, type ReferenceWeights } from './weights.js';
