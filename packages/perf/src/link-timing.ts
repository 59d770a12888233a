// The fabric's timing rules (docs/fabric.md "Modeled time") as closed-form pieces: serialisation, the head
// of a streaming-relay chain, and the constants α, β, μ read from a MachineSpec. Every model file uses these.

import { serialisationCycles, WaferError, type MachineSpec } from '@wafer/arch';

/** The network constants of a machine, named as in docs/fabric.md. */
export interface LinkCosts {
  alpha: number; // α: cycles per router hop on a configured route
  beta: number; // β: a streaming relay (receive-add-send), from the head's arrival to its own send
  mu: number; // μ: fixed latency of every message (injection + ejection)
}

/** α, β and μ of a machine. */
export function linkCosts(spec: MachineSpec): LinkCosts {
  return { alpha: spec.alphaCyclesPerHop, beta: spec.relay.streamCycles, mu: spec.messageCycles };
}

/** ser(n): cycles to push n values through one link. */
export function ser(spec: MachineSpec, elements: number): number {
  return serialisationCycles(spec, elements);
}

/**
 * Cycles from the first sender's send to the arrival of the head at the core k one-hop links down a chain of
 * streaming relays (k ≥ 1): each link costs α + μ and each of the k − 1 relays in between adds β.
 */
export function chainHeadCycles(c: LinkCosts, k: number): number {
  return k * (c.alpha + c.mu) + (k - 1) * c.beta;
}

/** Checks that `value` is a positive integer; `what` names it in the error. */
export function positiveInt(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) throw new WaferError('USAGE', `perf: ${what} must be a positive integer, got ${value}`);
  return value;
}

/** Checks that `value` is a non-negative integer; `what` names it in the error. */
export function nonNegativeInt(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0) throw new WaferError('USAGE', `perf: ${what} must be a non-negative integer, got ${value}`);
  return value;
}

/** The largest of the evenSplit block sizes of n over k parts: ⌈n / k⌉. */
export function maxBlock(n: number, k: number): number {
  return Math.ceil(n / k);
}
