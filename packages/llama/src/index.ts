export * from './model/types.js';
export * from './model/rope-factors.js';
export * from './checkpoint/index.js';
export * from './tokenizer/index.js';
export * from './reference/index.js';
export * from './generate/index.js';
export * from './synth/index.js';
export * from './mesh/index.js';
