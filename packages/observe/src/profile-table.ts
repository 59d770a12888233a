// A phase profile as text (a Markdown table, like WaferLLM's profiler prints) and as JSON (snake_case keys).

import type { PhaseProfileResult } from './phase-profile.js';

const int = (x: number) => Math.round(x).toLocaleString('en-US');
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The profile as lines of text (each prefixed like the CLI's other reports). */
export function profileText(p: PhaseProfileResult, clockHz: number, prefix = '[wafer] '): string {
  const perRun = p.runs > 0 ? p.modeledCycles / p.runs : 0;
  const crit = p.criticalCores.map((c) => `${c.core} in ${c.runs}`).join(', ');
  const lines = [
    `${p.group} profile: ${p.runs} run(s), ${int(p.modeledCycles)} modeled cycles (${((p.modeledCycles / clockHz) * 1e6).toFixed(2)} µs; ${int(perRun)} per run); critical path: the last-finishing core of each run (${crit})`,
    '| phase | cycles | share | compute | element-wise | step overhead | relay | wait | busy mean | min | max | p95 | imbalance |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...p.phases.map((r) => {
      const k = r.kinds;
      const b = r.busy;
      return `| ${r.phase} | ${int(r.cycles)} | ${pct(r.share)} | ${int(k.compute)} | ${int(k.elementwise)} | ${int(k.overhead)} | ${int(k.relay)} | ${int(k.wait)} | ${int(b.mean)} | ${int(b.min)} | ${int(b.max)} | ${int(b.p95)} | ${b.imbalance.toFixed(2)} |`;
    }),
    `| total | ${int(p.phases.reduce((a, r) => a + r.cycles, 0))} | ${pct(p.modeledCycles > 0 ? p.phases.reduce((a, r) => a + r.cycles, 0) / p.modeledCycles : 0)} | | | | | | | | | | |`,
  ];
  const c = p.categories;
  const total = p.modeledCycles || 1;
  lines.push(
    `categories: compute ${int(c.compute)} (${pct(c.compute / total)}) · communication ${int(c.communication)} (${pct(c.communication / total)}) · KV cache ${int(c.kvCache)} (${pct(c.kvCache / total)}) · element-wise ${int(c.elementwise)} (${pct(c.elementwise / total)}) · step overhead ${int(c.overhead)} (${pct(c.overhead / total)})`,
  );
  return lines.map((l) => `${prefix}${l}\n`).join('');
}

/** The profile as plain JSON. */
export function profileJson(p: PhaseProfileResult): Record<string, unknown> {
  return {
    group: p.group,
    runs: p.runs,
    modeled_cycles: p.modeledCycles,
    critical_cores: p.criticalCores,
    phases: p.phases.map((r) => ({
      phase: r.phase,
      cycles: r.cycles,
      share: r.share,
      compute: r.kinds.compute,
      elementwise: r.kinds.elementwise,
      overhead: r.kinds.overhead,
      relay: r.kinds.relay,
      wait: r.kinds.wait,
      busy: r.busy,
      wait_mean: r.waitMean,
    })),
    categories: { compute: p.categories.compute, communication: p.categories.communication, kv_cache: p.categories.kvCache, elementwise: p.categories.elementwise, overhead: p.categories.overhead },
  };
}
