// Token generation: the sampler and the engine-agnostic generation loop.
export {
  generate,
  generateAll,
  type ForwardEngine,
  type GenerateOptions,
  type GenerationEvent,
  type GenerationResult,
  type GenerationTimings,
  type StopDetail,
  type StopReason,
} from './generate.js';
export { Sampler, argmax, checkSamplerOptions, type SamplerOptions } from './sampler.js';
export { XorshiftRng } from './xorshift-rng.js';
