// Seeded test inputs (the CLI's generator, so tests and `wafer kernel` see the same numbers).
export { seededUniform } from '../../packages/cli/src/random.js';
