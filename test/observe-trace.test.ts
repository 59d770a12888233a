// Perfetto traces in modeled time: a MeshGEMV on 16x16 and 4 decode steps of stories260K on 8x8 pass the
// trace checker (well-formed events, nested slices, monotone tracks, matched flows), show every core's phases,
// messages and counters, and are byte-identical for 1 and 3 threads. The wall-clock trace passes it too.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTrace } from '@wafer/observe';
import { wafer } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'wafer-trace-'));

interface Trace {
  traceEvents: { ph: string; name: string; pid: number; tid: number; cat?: string; args?: Record<string, unknown> }[];
  otherData: Record<string, unknown> & { caps: { flows: number; events_per_core_per_run: number }; flows: { kept: number; over_cap: number; unmatched: number; ambiguous: number } };
}

/** Runs `wafer ...args --trace FILE --threads T` for T = 1 and 3: both files' text (checked to be equal). */
async function traceBoth(name: string, args: string[], extra: string[] = []): Promise<{ text: string; trace: Trace }> {
  const texts: string[] = [];
  for (const threads of ['1', '3']) {
    const file = join(dir, `${name}-${threads}.json`);
    const r = await wafer(...args, '--threads', threads, '--trace', file, ...(threads === '1' ? extra : []));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`[wafer] trace: ${file}`);
    texts.push(readFileSync(file, 'utf8'));
  }
  expect(texts[1] === texts[0], `${name}: the traces for 1 and 3 threads differ`).toBe(true);
  return { text: texts[0], trace: JSON.parse(texts[0]) as Trace };
}

function expectValid(trace: unknown) {
  const check = checkTrace(trace);
  expect(check.problems).toEqual([]);
  return check;
}

const threadNames = (t: Trace) => t.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args!.name as string);

describe('modeled-time traces', () => {
  it('MeshGEMV on 16x16: valid, one track per core, phases, kernel steps, flows and counters; same for 1 and 3 threads', async () => {
    const { trace } = await traceBoth('gemv', ['kernel', 'gemv', '--algo', 'meshgemv', '--mesh', '16', '--k', '512', '--n', '512']);
    const check = expectValid(trace);
    const names = threadNames(trace);
    expect(names).toHaveLength(16 * 16 + 1);
    expect(names).toContain('core(15,15)');
    const slices = trace.traceEvents.filter((e) => e.ph === 'X');
    expect(new Set(slices.filter((e) => e.cat === 'phase').map((e) => e.name))).toEqual(new Set(['local-gemv', 'allreduce']));
    expect(slices.some((e) => e.cat === 'wait')).toBe(true);
    // Every message of the run is in the window: all pair up, none over the default cap.
    const o = trace.otherData;
    expect(o.flows).toEqual({ kept: check.flows, over_cap: 0, unmatched: 0, ambiguous: 0 });
    expect(check.flows).toBeGreaterThan(16 * 16);
    expect(trace.traceEvents.some((e) => e.ph === 'C' && e.name.startsWith('SRAM core('))).toBe(true);
    expect(trace.traceEvents.some((e) => e.ph === 'C' && e.name.startsWith('egress core('))).toBe(true);
    expect(o.caps.flows).toBeGreaterThan(0);
  });

  it('a window of cores: only those tracks, flows only between traced cores', async () => {
    const file = join(dir, 'window.json');
    const r = await wafer('kernel', 'gemv', '--mesh', '16', '--k', '512', '--n', '512', '--trace', file, '--trace-cores', '0-15,4-7');
    expect(r.code, r.stderr).toBe(0);
    const trace = JSON.parse(readFileSync(file, 'utf8')) as Trace;
    const check = expectValid(trace);
    expect(threadNames(trace)).toHaveLength(16 * 4 + 1);
    expect(threadNames(trace)).not.toContain('core(0,3)');
    expect(check.flows).toBeGreaterThan(0);
    expect(trace.otherData.flows.unmatched).toBeGreaterThan(0); // the allreduces run along Y, across the window's edge
  });

  it('4 decode steps of stories260K on 8x8: valid, the 13 layer phases on every core, same for 1 and 3 threads; wall trace valid', async () => {
    const wallFile = join(dir, 'wall.json');
    const { trace } = await traceBoth('decode', ['run', '-p', 'Once upon a time', '-n', '5', '--temp', '0', '--json'], ['--trace-wall', wallFile]);
    const check = expectValid(trace);
    expect(threadNames(trace)).toHaveLength(64 + 1);
    const runs = trace.traceEvents.filter((e) => e.ph === 'X' && e.cat === 'run').map((e) => e.name);
    expect(runs.filter((n) => n.startsWith('decode'))).toHaveLength(4);
    const phases = new Set(trace.traceEvents.filter((e) => e.ph === 'X' && e.cat === 'phase').map((e) => e.name));
    for (const p of ['embedding', 'rmsnorm', 'qkv', 'rope', 'kv-shift', 'score', 'softmax', 'attn-v', 'o-proj', 'residual', 'ffn-up-gate', 'swiglu', 'down', 'final-norm', 'classifier']) expect(phases, p).toContain(p);
    // The flow cap applies, and says so in the trace's metadata.
    const o = trace.otherData;
    expect(check.flows).toBe(o.caps.flows);
    expect(o.flows.kept).toBe(o.caps.flows);
    expect(o.flows.over_cap).toBeGreaterThan(0);
    expect(o.flows.ambiguous).toBe(0);
    const wall = JSON.parse(readFileSync(wallFile, 'utf8'));
    const w = expectValid(wall);
    expect(w.slices).toBeGreaterThan(9); // a run slice per run on the coordinator, and each thread's
  });
});
