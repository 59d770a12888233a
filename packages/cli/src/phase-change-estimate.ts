// The phase change between a prefill grid and a decode grid of different sizes, for `wafer estimate`: every
// layer's weights and its keys and values relayouted from the prefill layout on a P×P grid to the decode layout
// on a Q×Q grid sharing its corner, timed by @wafer/perf with the mesh engine's own layouts (@wafer/llama).
// Grids wider than 48 are timed on an instance scaled down by s (sides, widths and prompt ÷ s, so every core
// keeps its values): a relayout's time is linear in the line length at a fixed volume per core (both the busiest
// link's load and the chains' latency), so the result is × s. Checked: 30→18 × 4 is within 3% of 120→72 exactly.

import type { MachineSpec } from '@wafer/arch';
import { decodeLayout, gridMoves, prefillLayout, type LlamaConfig } from '@wafer/llama';
import { relayoutCycles, secondsOf, type ModelShape } from '@wafer/perf';

export interface PhaseChangeEstimate {
  toDecodeSeconds: number; // after the prompt: weights and keys and values into the decode grid
  backSeconds: number; // before the next prompt: the weights back into the prefill layout
  scale: number; // s: the timed instance was 1/s of the real one
}

/** The largest s dividing both sides that brings the larger below 48 (1 when it already is). */
function scaleFor(p: number, q: number): number {
  let best = 1;
  for (let s = 1; s <= Math.max(p, q); s++) {
    if (p % s !== 0 || q % s !== 0) continue;
    best = s;
    if (Math.max(p, q) / s <= 48) break;
  }
  return best;
}

/** Times the phase change of `shape` ('paper': one head of width dim) from P×P prefill to Q×Q decode. */
export function estimatePhaseChange(spec: MachineSpec, shape: ModelShape, p: number, q: number, promptTokens: number, convention: 'paper' | 'real'): PhaseChangeEstimate {
  const s = scaleFor(p, q);
  const scaled = (n: number, unit = 1) => Math.max(unit, Math.round(n / s / unit) * unit);
  const heads = convention === 'paper' ? 1 : shape.nHeads;
  const kvHeads = convention === 'paper' ? 1 : shape.nKvHeads;
  const headDim = convention === 'paper' ? scaled(shape.dim, 2) : Math.max(2, scaled(shape.headDim, 2));
  const config: LlamaConfig = {
    dim: convention === 'paper' ? headDim : heads * headDim,
    hiddenDim: scaled(shape.hiddenDim),
    nLayers: shape.nLayers,
    nHeads: heads,
    nKvHeads: kvHeads,
    headDim,
    vocabSize: shape.vocabSize,
    seqLen: shape.seqLen,
    normEps: 1e-5,
    ropeTheta: 10000,
    sharedClassifier: shape.sharedClassifier,
  };
  const freqs = new Float32Array(headDim / 2);
  const [ps, qs] = [p / s, q / s];
  const dec = decodeLayout(config, { rows: qs, cols: qs }, freqs);
  const pfl = decodeLayout(config, { rows: ps, cols: ps }, freqs);
  const corner = (n: number) => ({ x0: 0, y0: 0, rows: n, cols: n });
  const moves = gridMoves({ dec, pfl, pre: prefillLayout(pfl), decRects: [corner(qs)], preRects: [corner(ps)] });
  const mesh = { rows: Math.max(ps, qs), cols: Math.max(ps, qs) };
  const tokens = Math.max(1, Math.round((promptTokens - 1) / s));
  const each = (toDecode: boolean) => moves.weights(0, toDecode).map((m) => ({ mats: [m] })); // one matrix at a time, as the engine moves them
  const layer = relayoutCycles(spec, mesh, [{ mats: moves.kv(0, tokens) }, ...each(true)], 1024).totalCycles;
  const back = relayoutCycles(spec, mesh, each(false), 1024).totalCycles;
  return { toDecodeSeconds: secondsOf(spec, layer * s * shape.nLayers), backSeconds: secondsOf(spec, back * s * (shape.nLayers - 1)), scale: s };
}
