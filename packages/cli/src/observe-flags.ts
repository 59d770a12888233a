// The observability flags shared by `wafer run` and `wafer kernel` (--profile, --trace, --trace-cores,
// --trace-wall, --report, --save-run): what the fabric must record, the observer that takes each run, and
// the files written at the end.

import { writeFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { usageError, type MachineSpec, type MeshShape, type Tile } from '@wafer/arch';
import { checkWindow, type CoreWindow, type ObserveOptions } from '@wafer/fabric';
import { FileSink, reportHtml, RunObserver, runRecord, type RunRecord } from '@wafer/observe';
import { intFlag } from './flags.js';
import { ensureParentDir } from './output-file.js';
import type { Context } from './context.js';

/** Traced cores by default: the whole mesh up to 64×64, else its top-left 64×64 corner. */
const DEFAULT_TRACE_SIDE = 64;

export interface ObserveArgs {
  profile?: boolean;
  trace?: string;
  'trace-cores'?: string;
  'trace-wall'?: string;
  report?: string;
  'save-run'?: string;
}

export const OBSERVE_FLAGS = ['profile', 'trace', 'trace-cores', 'trace-wall', 'report', 'save-run'] as const;

/** Adds the flags to a command. */
export function observeOptions(y: Argv, what: string): Argv {
  return y
    .option('profile', { type: 'boolean', describe: `print where the modeled time of ${what} goes, per phase (critical path, per-core busy statistics, categories)` })
    .option('trace', { type: 'string', describe: 'write a Perfetto / chrome://tracing trace in modeled time to this JSON file' })
    .option('trace-cores', { type: 'string', describe: "cores the trace shows: 'X0-X1,Y0-Y1' (inclusive) or 'X,Y' (default: the whole mesh up to 64x64, else its top-left 64x64)" })
    .option('trace-wall', { type: 'string', describe: "write a wall-clock trace of the emulator's worker threads to this JSON file" })
    .option('report', { type: 'string', describe: 'write a self-contained HTML report page (phase chart, mesh heatmaps) to this file' })
    .option('save-run', { type: 'string', describe: 'write the run record (what the report shows) to this JSON file, for wafer report' });
}

/** Parses --trace-cores against the mesh. */
export function parseWindow(text: string | undefined, mesh: MeshShape, ctx: Context): CoreWindow {
  if (text === undefined) {
    const w = { x0: 0, y0: 0, width: Math.min(mesh.cols, DEFAULT_TRACE_SIDE), height: Math.min(mesh.rows, DEFAULT_TRACE_SIDE) };
    if (w.width < mesh.cols || w.height < mesh.rows) ctx.stderr.write(`[wafer] note: the trace shows cores x 0..${w.width - 1}, y 0..${w.height - 1} of the ${mesh.rows}x${mesh.cols} mesh (choose others with --trace-cores)\n`);
    return w;
  }
  const m = /^\s*(\d+)(?:-(\d+))?\s*,\s*(\d+)(?:-(\d+))?\s*$/.exec(text);
  if (m === null) throw usageError(`--trace-cores must be 'X0-X1,Y0-Y1' or 'X,Y', got '${text}'`);
  const x0 = intFlag('--trace-cores', m[1]);
  const x1 = m[2] === undefined ? x0 : intFlag('--trace-cores', m[2]);
  const y0 = intFlag('--trace-cores', m[3]);
  const y1 = m[4] === undefined ? y0 : intFlag('--trace-cores', m[4]);
  if (x1 < x0 || y1 < y0) throw usageError(`--trace-cores ${text}: ranges must run from low to high`);
  const w = { x0, y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
  checkWindow(w, mesh);
  return w;
}

/** What was asked for, parsed and with its output directories made. */
export interface ObservePlan {
  observe: ObserveOptions | undefined;
  profile: boolean;
  window?: CoreWindow;
  args: ObserveArgs;
}

export function planObserve(args: ObserveArgs, mesh: MeshShape, ctx: Context): ObservePlan {
  if (args['trace-cores'] !== undefined && args.trace === undefined) throw usageError('--trace-cores chooses the cores of --trace: give --trace FILE too');
  for (const [flag, file] of [['--trace', args.trace], ['--trace-wall', args['trace-wall']], ['--report', args.report], ['--save-run', args['save-run']]] as const) {
    if (file !== undefined) ensureParentDir(file, flag);
  }
  const window = args.trace === undefined ? undefined : parseWindow(args['trace-cores'], mesh, ctx);
  const heatmaps = args.report !== undefined || args['save-run'] !== undefined;
  const profile = args.profile === true || heatmaps;
  const any = profile || window !== undefined || args['trace-wall'] !== undefined;
  return {
    observe: any ? { phases: profile, counters: heatmaps, trace: window, wallTrace: args['trace-wall'] !== undefined } : undefined,
    profile,
    window,
    args,
  };
}

/** The observer for a plan (null when nothing was asked for). */
export function startObserver(plan: ObservePlan, mesh: MeshShape, machine: MachineSpec, title: string): RunObserver | null {
  if (plan.observe === undefined) return null;
  const a = plan.args;
  return new RunObserver({
    mesh,
    machine,
    profile: plan.profile,
    counters: plan.observe.counters,
    trace: a.trace === undefined ? undefined : { sink: new FileSink(a.trace), window: plan.window!, title },
    wallTrace: a['trace-wall'] === undefined ? undefined : { sink: new FileSink(a['trace-wall']), title },
  });
}

/** Closes the traces and writes the report page and the run record; returns notes for stderr. */
export function finishObserver(observer: RunObserver, plan: ObservePlan, record: Omit<Parameters<typeof runRecord>[0], 'profiles' | 'counters'> & { tiles: Tile[] }): { record: RunRecord | null; notes: string } {
  const traced = observer.finish();
  let notes = '';
  if (traced !== null) {
    const f = traced.flows;
    notes += `[wafer] trace: ${plan.args.trace} (${traced.events.toLocaleString('en-US')} events, ${f.kept.toLocaleString('en-US')} message flows${f.overCap > 0 ? `, ${f.overCap} more over the cap` : ''}${traced.eventsDropped > 0 ? `, ${traced.eventsDropped} events over the per-core cap` : ''}); open it in ui.perfetto.dev or chrome://tracing\n`;
  }
  if (plan.args['trace-wall'] !== undefined) notes += `[wafer] wall-clock trace: ${plan.args['trace-wall']}\n`;
  if (plan.args.report === undefined && plan.args['save-run'] === undefined) return { record: null, notes };
  const r = runRecord({ ...record, profiles: observer.profileResults(), counters: observer.counterTotals() });
  if (plan.args['save-run'] !== undefined) {
    writeFileSync(plan.args['save-run'], JSON.stringify(r));
    notes += `[wafer] run record: ${plan.args['save-run']}\n`;
  }
  if (plan.args.report !== undefined) {
    writeFileSync(plan.args.report, reportHtml(r));
    notes += `[wafer] report: ${plan.args.report}\n`;
  }
  return { record: r, notes };
}
