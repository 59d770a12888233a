// A checker for Chrome Trace Event JSON, as trace viewers read it: every event well-formed for its phase type,
// timestamps non-decreasing per track, complete slices properly nested, begin/end balanced, every flow start
// matched by one end at a later time, metadata events of the known kinds. Used by the tests on every trace.

export interface TraceCheck {
  problems: string[]; // empty when the trace is valid (at most 50 listed)
  events: number;
  slices: number;
  flows: number;
  counters: number;
  tracks: number;
}

const PHASES = new Set(['X', 'B', 'E', 'i', 'I', 'C', 'M', 's', 't', 'f']);
const METADATA = new Set(['process_name', 'process_labels', 'process_sort_index', 'thread_name', 'thread_sort_index']);
const EPS = 1e-9;

type Ev = Record<string, unknown>;

/** Checks a parsed trace (the JSON Object Format or a bare array of events). */
export function checkTrace(trace: unknown): TraceCheck {
  const problems: string[] = [];
  const bad = (i: number, msg: string) => {
    if (problems.length < 50) problems.push(`event ${i}: ${msg}`);
  };
  const events = Array.isArray(trace) ? trace : (trace as { traceEvents?: unknown })?.traceEvents;
  const out: TraceCheck = { problems, events: 0, slices: 0, flows: 0, counters: 0, tracks: 0 };
  if (!Array.isArray(events)) {
    problems.push('no traceEvents array');
    return out;
  }
  const lastTs = new Map<string, number>(); // per track: the last timestamp
  const open = new Map<string, number[]>(); // per thread track: ends of the open complete slices
  const begun = new Map<string, number>(); // per thread track: open B events
  const flowStarts = new Map<string, number>(); // id → ts
  const flowEnds = new Map<string, number>();
  events.forEach((raw: unknown, i: number) => {
    out.events++;
    if (typeof raw !== 'object' || raw === null) return bad(i, 'not an object');
    const e = raw as Ev;
    const ph = e.ph;
    if (typeof ph !== 'string' || !PHASES.has(ph)) return bad(i, `unknown ph ${JSON.stringify(ph)}`);
    if (!Number.isInteger(e.pid)) return bad(i, 'pid is not an integer');
    if (ph !== 'C' && ph !== 'M' && !Number.isInteger(e.tid)) return bad(i, 'tid is not an integer');
    if (ph !== 'E' && typeof e.name !== 'string') return bad(i, 'no name');
    if (ph === 'M') {
      if (!METADATA.has(e.name as string)) bad(i, `unknown metadata ${String(e.name)}`);
      if (typeof e.args !== 'object' || e.args === null) bad(i, 'metadata without args');
      return;
    }
    const ts = e.ts;
    if (typeof ts !== 'number' || !Number.isFinite(ts) || ts < 0) return bad(i, `bad ts ${JSON.stringify(ts)}`);
    const track = ph === 'C' ? `${e.pid}/counter/${String(e.name)}${e.id === undefined ? '' : `/${String(e.id)}`}` : `${e.pid}/${e.tid}`;
    const last = lastTs.get(track);
    if (last !== undefined && ts < last - EPS) bad(i, `ts ${ts} before ${last} on track ${track}`);
    lastTs.set(track, ts);
    switch (ph) {
      case 'X': {
        const dur = e.dur;
        if (typeof dur !== 'number' || !Number.isFinite(dur) || dur < 0) return bad(i, `bad dur ${JSON.stringify(dur)}`);
        out.slices++;
        const stack = open.get(track) ?? [];
        while (stack.length > 0 && stack[stack.length - 1] <= ts + EPS) stack.pop();
        if (stack.length > 0 && ts + dur > stack[stack.length - 1] + EPS) bad(i, `slice [${ts}, ${ts + dur}] overlaps the end of its parent at ${stack[stack.length - 1]} on track ${track}`);
        stack.push(ts + dur);
        open.set(track, stack);
        return;
      }
      case 'B':
        begun.set(track, (begun.get(track) ?? 0) + 1);
        return;
      case 'E': {
        const n = begun.get(track) ?? 0;
        if (n === 0) bad(i, `end without a begin on track ${track}`);
        else begun.set(track, n - 1);
        return;
      }
      case 'C': {
        out.counters++;
        const args = e.args as Record<string, unknown> | undefined;
        if (typeof args !== 'object' || args === null || Object.keys(args).length === 0) return bad(i, 'counter without values');
        for (const [k, v] of Object.entries(args)) if (typeof v !== 'number' || !Number.isFinite(v)) bad(i, `counter value ${k} is not a number`);
        return;
      }
      case 's':
      case 't':
      case 'f': {
        if (typeof e.id !== 'number' && typeof e.id !== 'string') return bad(i, 'flow without id');
        if (e.bp !== undefined && e.bp !== 'e') bad(i, `flow bp ${JSON.stringify(e.bp)}`);
        const id = String(e.id);
        if (ph === 's') {
          if (flowStarts.has(id)) bad(i, `flow ${id} starts twice`);
          flowStarts.set(id, ts);
          out.flows++;
        } else if (ph === 'f') {
          if (flowEnds.has(id)) bad(i, `flow ${id} ends twice`);
          flowEnds.set(id, ts);
        }
        return;
      }
    }
  });
  for (const [track, n] of begun) if (n > 0) problems.push(`track ${track}: ${n} begin event(s) never ended`);
  for (const [id, ts] of flowStarts) {
    const end = flowEnds.get(id);
    if (end === undefined) problems.push(`flow ${id} never ends`);
    else if (end < ts - EPS) problems.push(`flow ${id} ends at ${end}, before it starts at ${ts}`);
  }
  for (const id of flowEnds.keys()) if (!flowStarts.has(id)) problems.push(`flow ${id} ends without a start`);
  out.tracks = lastTs.size;
  return out;
}
