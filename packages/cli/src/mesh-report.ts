// The mesh engine's end-of-run report: modeled TTFT and decode speed beside the machine, mesh and SRAM.
import type { MeshLlama } from '@wafer/llama';

export interface MeshRunSummary {
  json: Record<string, unknown>;
  text: string;
}

/**
 * Modeled figures of a generation: every prefill-phase run (the MeshGEMM batch with its phase change and the
 * decode step of the last prompt token, or every prompt token's decode step) makes up the time to first
 * token; every decode-phase run is one decode step.
 */
export function meshReport(mesh: MeshLlama): MeshRunSummary {
  const f = mesh.fabric;
  const clock = f.machine.clockHz;
  const cyclesOf = (phase: 'prefill' | 'decode') => mesh.steps.filter((s) => s.phase === phase).map((s) => s.report.modeledCycles);
  const prefill = cyclesOf('prefill').reduce((a, c) => a + c, 0);
  // A prefill on its own grid: its hand-offs between prefill regions and its phase changes into the decode grid
  // (and back before a later prompt) are part of the prefill time; report them apart too.
  const partCycles = (part: string) => mesh.steps.filter((st) => st.part === part).reduce((a, st) => a + st.report.modeledCycles, 0);
  const handoff = partCycles('handoff');
  const phaseChange = partCycles('phase-change');
  const decode = cyclesOf('decode');
  const ran = mesh.steps.length > 0;
  const prefillMode = ran ? (mesh.lastPrefill ?? mesh.prefillMode) : 'none';
  const perToken = decode.length > 0 ? decode.reduce((a, c) => a + c, 0) / decode.length : 0;
  const peak = mesh.sramPeakBytesPerCore;
  const budget = f.machine.sramBytesPerCore;
  const routes = Math.max(0, ...mesh.steps.map((s) => s.report.maxRoutesPerRouter));
  const json = {
    mesh: { rows: f.mesh.rows, cols: f.mesh.cols },
    threads: f.threads,
    machine: f.machine.name,
    modeled: {
      prefill: prefillMode,
      prefill_cycles: prefill,
      handoff_cycles: handoff,
      phase_change_cycles: phaseChange,
      decode_cycles_per_token: perToken > 0 ? perToken : null, // null: no decode step ran (-n 1)
      ttft_s: prefill / clock,
      decode_tok_s: perToken > 0 ? clock / perToken : null,
    },
    sram: { peak_bytes_per_core: peak, budget_bytes_per_core: budget, fits: peak <= budget },
    max_routes_per_router: routes,
    regions: regionsJson(mesh),
  };
  const fits = peak <= budget ? 'fits' : 'OVER BUDGET';
  if (!ran) return { json, text: `[wafer] modeled on ${f.machine.name} ${f.mesh.rows}x${f.mesh.cols}: no forward pass ran (-n 0)\n` };
  const text =
    `[wafer] modeled on ${f.machine.name} ${f.mesh.rows}x${f.mesh.cols} (${f.threads} thread${f.threads === 1 ? '' : 's'}): time to first token ${((prefill / clock) * 1e6).toFixed(1)} µs (${prefill.toLocaleString('en-US')} cycles, prompt: ${prefillMode === 'decode' ? 'token by token' : 'MeshGEMM prefill'}) · decode ${perToken > 0 ? (clock / perToken).toFixed(0) : '–'} tok/s (${Math.round(perToken).toLocaleString('en-US')} cycles/token)\n` +
    (handoff + phaseChange > 0 ? `[wafer] prefill on its own ${mesh.grid!.region.rows}x${mesh.grid!.region.cols} regions: hand-offs ${handoff.toLocaleString('en-US')} cycles, phase change into the decode grid ${phaseChange.toLocaleString('en-US')} cycles (keys and values${mesh.grid!.copies === 'one' ? ', and the weights: one copy' : ''})\n` : '') +
    regionsText(mesh) +
    `[wafer] SRAM peak ${peak.toLocaleString('en-US')} of ${budget.toLocaleString('en-US')} bytes per core (${fits}) · ${routes} route-table entries at the busiest router\n`;
  return { json, text };
}

/** The region plan, or null when every layer runs on the whole mesh. */
function regionsJson(mesh: MeshLlama): Record<string, unknown> | null {
  const r = mesh.regions;
  if (r === undefined) return null;
  return { shape: `${mesh.layout.rows}x${mesh.layout.cols}`, used: r.rects.length, layers: r.blocks.map((b) => b.layers), classifier_region: r.classifierRegion };
}

function regionsText(mesh: MeshLlama): string {
  const r = mesh.regions;
  if (r === undefined) return '';
  const blocks = r.blocks.map((b, i) => `${i}: ${b.layers === 0 ? 'no layers' : `layers ${b.firstLayer}–${b.firstLayer + b.layers - 1}`}`).join(', ');
  return `[wafer] regions of ${mesh.layout.rows}x${mesh.layout.cols}: ${r.rects.length} used (${blocks}; embedding on 0, classifier on ${r.classifierRegion})\n`;
}
