export * from './layout.js';
export * from './memory.js';
export * from './place-weights.js';
export * from './kv-cache.js';
export * from './mesh-engine.js';
