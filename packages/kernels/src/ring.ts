// The logical rings kernels lay on a line of cores live in @wafer/arch (shared with the analytical model).
export { interleavedRing, plainRing, type LineRing } from '@wafer/arch';
