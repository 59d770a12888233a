// `--profile-wall`: where this machine's wall time went during a generation, per worker thread, from the
// fabric's per-run breakdown. Wall-clock only: nothing here is a modeled figure.
import type { RunReport, TileWall } from '@wafer/fabric';

export interface WallProfileSummary {
  json: Record<string, unknown>;
  text: string;
}

/** Sums the decode-phase runs' breakdowns per thread; null when no run carried one. */
export function wallProfileReport(runs: RunReport[]): WallProfileSummary | null {
  const walls = runs.map((r) => r.wall).filter((w): w is TileWall[] => w !== undefined);
  if (walls.length === 0) return null;
  const threads = walls[0].length;
  const sum: TileWall[] = Array.from({ length: threads }, () => ({ runMs: 0, localKernelMs: 0, localKernelCalls: 0, idleMs: 0, linksMs: 0, gcMs: 0 }));
  for (const w of walls) {
    w.forEach((t, i) => {
      for (const k of Object.keys(t) as (keyof TileWall)[]) sum[i][k] += t[k];
    });
  }
  const resumes = runs.reduce((a, r) => a + r.resumes, 0);
  const messages = runs.reduce((a, r) => a + r.messages, 0);
  const rows = sum.map((t, i) => {
    const rest = Math.max(0, t.runMs - t.localKernelMs - t.idleMs - t.linksMs - t.gcMs);
    return { thread: i, run_ms: t.runMs, local_kernels_ms: t.localKernelMs, waiting_ms: t.idleMs, links_ms: t.linksMs, gc_ms: t.gcMs, scheduling_messages_program_ms: rest };
  });
  const pct = (x: number, of: number) => (of > 0 ? `${((100 * x) / of).toFixed(0)}%` : '–');
  const ms = (x: number) => x.toFixed(1);
  let text = `[wafer] wall profile over ${walls.length} run(s): ${resumes.toLocaleString('en-US')} core resumes, ${messages.toLocaleString('en-US')} messages\n`;
  text += '[wafer] | thread | run ms | local kernels | waiting for other threads | cross-tile rings | GC | scheduling, messages, program |\n';
  for (const r of rows) {
    text += `[wafer] | ${r.thread} | ${ms(r.run_ms)} | ${ms(r.local_kernels_ms)} (${pct(r.local_kernels_ms, r.run_ms)}) | ${ms(r.waiting_ms)} (${pct(r.waiting_ms, r.run_ms)}) | ${ms(r.links_ms)} (${pct(r.links_ms, r.run_ms)}) | ${ms(r.gc_ms)} (${pct(r.gc_ms, r.run_ms)}) | ${ms(r.scheduling_messages_program_ms)} (${pct(r.scheduling_messages_program_ms, r.run_ms)}) |\n`;
  }
  return { json: { runs: walls.length, resumes, messages, threads: rows }, text };
}
