export * from './ring.js';
export * from './shared-state.js';
export * from './protocol.js';
export * from './host/fabric.js';
export * from './host/counters.js';
export * from './host/host-memory.js';
export { countRoutes } from './host/route-table.js';
export { tileWorkerEntry } from './worker-entry.js';
export { testingProgram } from './testing/programs.js';
