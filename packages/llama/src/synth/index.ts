// Synthetic checkpoints: named shapes, shape flags and the seeded weight generator.
export { MAX_SHAPE_FLAG, SYNTH_SHAPES, SYNTH_SHAPE_NAMES, copyShape, shapeFromFlags, synthShape, type ShapeFlags } from './shapes.js';
export { MAX_SYNTH_TENSOR_ELEMENTS, SYNTH_WEIGHT_STD, parameterCount, synthTensorShapes, synthesize } from './synthesize.js';
export { NormalRng } from './normal-rng.js';
export { padModel } from './pad-model.js';
