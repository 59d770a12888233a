export * from './errors.js';
export * from './machine.js';
export * from './mesh.js';
export * from './contract.js';
export * from './local-costs.js';
export * from './line-rings.js';
export * from './regions.js';
export * from './relayout-plan.js';
