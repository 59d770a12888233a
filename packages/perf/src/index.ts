// @wafer/perf: the analytical PLMR performance model, pure functions of a MachineSpec and a workload.
export * from './link-timing.js';
export * from './ring-geometry.js';
export * from './allreduce.js';
export * from './ring-allreduce.js';
export * from './elementwise.js';
export * from './gemv.js';
export * from './gemm-cannon-family.js';
export * from './gemm-summa.js';
export * from './qkt.js';
export * from './model-shapes.js';
export * from './layer-dims.js';
export * from './decode-layer.js';
export * from './decode-step.js';
export * from './prefill.js';
export * from './placement.js';
export * from './kv-capacity.js';
export * from './energy.js';
