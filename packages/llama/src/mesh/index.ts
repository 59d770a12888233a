export * from './layout.js';
export * from './memory.js';
export * from './place-weights.js';
export * from './kv-cache.js';
export * from './mesh-engine.js';
export * from './kv-cache-host.js';
export * from './prefill-layout.js';
export * from './prefill-memory.js';
export { planPrefill, type PrefillChoice, type PrefillMode, type PrefillPlan } from './prefill-host.js';
