// The registry of named phases a core program marks with `core.phase(id)`, and the kinds of modeled cycles the
// fabric attributes to them. Ids are fixed here (not assigned at run time), so every worker thread agrees on them.

/**
 * Every phase, by id (the index). Kernel phases come first: a profile's per-core arrays are as wide as the
 * largest id a run marks, so a run of one kernel on a huge mesh keeps them narrow.
 */
export const PHASE_NAMES = [
  'unmarked', // cycles before a program's first marker
  'shift',
  'local-gemv',
  'allreduce',
  'gemm',
  'qkt',
  'embedding',
  'rmsnorm',
  'qkv',
  'rope',
  'kv-shift',
  'score',
  'softmax',
  'attn-v',
  'o-proj',
  'residual',
  'ffn-up-gate',
  'swiglu',
  'down',
  'final-norm',
  'classifier',
  'phase-change',
  'region-handoff',
] as const;

export type PhaseName = (typeof PHASE_NAMES)[number];

/** Phase ids by a camel-case name: `core.phase(PHASE.qkv)`. */
export const PHASE = {
  unmarked: 0,
  shift: 1,
  localGemv: 2,
  allreduce: 3,
  gemm: 4,
  qkt: 5,
  embedding: 6,
  rmsnorm: 7,
  qkv: 8,
  rope: 9,
  kvShift: 10,
  score: 11,
  softmax: 12,
  attnV: 13,
  oProj: 14,
  residual: 15,
  ffnUpGate: 16,
  swiglu: 17,
  down: 18,
  finalNorm: 19,
  classifier: 20,
  phaseChange: 21,
  regionHandoff: 22,
} as const satisfies Record<string, number>;

/** Number of phase ids. */
export const PHASE_COUNT = PHASE_NAMES.length;

/** Phases whose every cycle counts as KV-cache work in a profile's category totals. */
export const KV_PHASES: readonly number[] = [PHASE.kvShift, PHASE.phaseChange];

/**
 * Kinds of modeled cycles, per core and phase. Every advance of a core's clock is exactly one of them, so a
 * core's cycles over all phases and kinds add up to its clock.
 */
export const CYCLE_KINDS = ['compute', 'elementwise', 'overhead', 'relay', 'wait'] as const;
export type CycleKind = (typeof CYCLE_KINDS)[number];
/** `core.compute` of a local kernel: multiply-accumulates or outer-loop iterations (GEMV, GEMM, Q·Kᵀ tiles). */
export const KIND_COMPUTE = 0;
/** `core.compute` of any other cost (element-wise passes: norms, RoPE, softmax, SwiGLU, copies). */
export const KIND_ELEMENTWISE = 1;
/** `core.step()`: the fixed per-step cost of a kernel step. */
export const KIND_OVERHEAD = 2;
/** Relay work: a streaming relay's output leaving the core, a store-and-forward relay. */
export const KIND_RELAY = 3;
/** Waiting for a message (a receive that advanced the clock). */
export const KIND_WAIT = 4;
export const CYCLE_KIND_COUNT = CYCLE_KINDS.length;

/** The name of a phase id ('phase#N' for an id outside the registry). */
export function phaseName(id: number): string {
  return PHASE_NAMES[id] ?? `phase#${id}`;
}
