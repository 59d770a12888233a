// Shared by the thread-determinism tests: a generation engine over a mesh engine that records every logits vector,
// and everything a run leaves to compare across thread counts (ids, logits, per-run modeled figures, counters).
import { expect } from 'vitest';
import type { ForwardEngine, MeshLlama } from '@wafer/llama';

/** `mesh` as a generation engine (with its batched prefill) recording the logits of every call. */
export function recording(mesh: MeshLlama): { engine: ForwardEngine; logits: number[][] } {
  const logits: number[][] = [];
  const keep = (l: Float32Array) => (logits.push(Array.from(l)), l);
  const engine: ForwardEngine = {
    config: mesh.config,
    prefill: async (ids) => keep(await mesh.prefill(ids)),
    forward: async (t, p) => keep(await mesh.forward(t, p)),
  };
  return { engine, logits };
}

/** Every run's modeled figures, and the clocks and link words of the last run's counters. */
export async function modeledTrace(mesh: MeshLlama) {
  const modeled = mesh.steps.map((s) => ({ phase: s.phase, part: s.part, cycles: s.report.modeledCycles, messages: s.report.messages, words: s.report.words, routes: s.report.maxRoutesPerRouter, sram: s.report.sramPeakBytesPerCore, colors: s.report.colorMessages }));
  const counters = await mesh.fabric.counters();
  return { modeled, clock: Array.from(counters.clock), links: Array.from(counters.linkWords) };
}

/** Two traces agree in every field, exactly. */
export function expectSameTrace<T extends Record<string, unknown>>(other: T, base: T): void {
  for (const k of Object.keys(base)) expect(other[k], k).toEqual(base[k]);
}
