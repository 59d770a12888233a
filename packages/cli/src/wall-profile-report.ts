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
  const sum = Array.from({ length: threads }, () => ({ runMs: 0, localKernelMs: 0, idleMs: 0, linksMs: 0, gcMs: 0, sleepMs: 0, runQueueMs: 0, queueReported: true }));
  for (const w of walls) {
    w.forEach((t, i) => {
      const s = sum[i];
      s.runMs += t.runMs;
      s.localKernelMs += t.localKernelMs;
      s.idleMs += t.idleMs;
      s.linksMs += t.linksMs;
      s.gcMs += t.gcMs;
      s.sleepMs += t.sleepMs;
      if (t.runQueueMs === undefined) s.queueReported = false;
      else s.runQueueMs += t.runQueueMs;
    });
  }
  const resumes = runs.reduce((a, r) => a + r.resumes, 0);
  const messages = runs.reduce((a, r) => a + r.messages, 0);
  const rows = sum.map((t, i) => {
    const rest = Math.max(0, t.runMs - t.localKernelMs - t.idleMs - t.linksMs - t.gcMs);
    return {
      thread: i,
      run_ms: t.runMs,
      local_kernels_ms: t.localKernelMs,
      waiting_ms: t.idleMs,
      links_ms: t.linksMs,
      gc_ms: t.gcMs,
      scheduling_messages_program_ms: rest,
      asleep_ms: t.sleepMs,
      run_queue_ms: t.queueReported ? t.runQueueMs : null,
      // The rest of the run: on a CPU (a thread is running, ready to run, or asleep).
      on_cpu_ms: t.queueReported ? Math.max(0, t.runMs - t.sleepMs - t.runQueueMs) : null,
    };
  });
  const pct = (x: number, of: number) => (of > 0 ? `${((100 * x) / of).toFixed(0)}%` : '–');
  const ms = (x: number) => x.toFixed(1);
  const part = (x: number, of: number) => `${ms(x)} (${pct(x, of)})`;
  let text = `[wafer] wall profile over ${walls.length} run(s): ${resumes.toLocaleString('en-US')} core resumes, ${messages.toLocaleString('en-US')} messages\n`;
  text += '[wafer] | thread | run ms | local kernels | waiting for other threads | cross-tile rings | GC | scheduling, messages, program |\n';
  for (const r of rows) {
    text += `[wafer] | ${r.thread} | ${ms(r.run_ms)} | ${part(r.local_kernels_ms, r.run_ms)} | ${part(r.waiting_ms, r.run_ms)} | ${part(r.links_ms, r.run_ms)} | ${part(r.gc_ms, r.run_ms)} | ${part(r.scheduling_messages_program_ms, r.run_ms)} |\n`;
  }
  if (rows.every((r) => r.run_queue_ms !== null)) {
    // Linux's run-queue time: a thread ready to run that waited for a CPU lost that time to another thread or process.
    text += '[wafer] | thread | run ms | on a CPU | ready, waiting for a CPU | asleep on its doorbell |\n';
    for (const r of rows) text += `[wafer] | ${r.thread} | ${ms(r.run_ms)} | ${part(r.on_cpu_ms!, r.run_ms)} | ${part(r.run_queue_ms!, r.run_ms)} | ${part(r.asleep_ms, r.run_ms)} |\n`;
  } else {
    text += "[wafer] time waiting for a CPU: not reported (Linux's /proc/thread-self/schedstat unreadable here, or without scheduler statistics)\n";
  }
  return { json: { runs: walls.length, resumes, messages, threads: rows }, text };
}
