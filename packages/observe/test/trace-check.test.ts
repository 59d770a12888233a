// The trace checker accepts a well-formed trace and names each kind of damage a viewer would trip over.
import { describe, expect, it } from 'vitest';
import { checkTrace } from '@wafer/observe';

type Ev = Record<string, unknown>;
const good = (): Ev[] => [
  { ph: 'M', name: 'process_name', pid: 2, tid: 0, ts: 0, args: { name: 'row 0' } },
  { ph: 'M', name: 'thread_name', pid: 2, tid: 3, ts: 0, args: { name: 'core(0,0)' } },
  { ph: 'X', name: 'qkv', cat: 'phase', pid: 2, tid: 3, ts: 0, dur: 10 },
  { ph: 'X', name: 'step', cat: 'step', pid: 2, tid: 3, ts: 0, dur: 4 },
  { ph: 's', name: 'message', cat: 'message', id: 1, pid: 2, tid: 3, ts: 2 },
  { ph: 'X', name: 'wait colour 3', cat: 'wait', pid: 2, tid: 3, ts: 5, dur: 5 },
  { ph: 'X', name: 'rope', cat: 'phase', pid: 2, tid: 3, ts: 10, dur: 2 },
  { ph: 'X', name: 'qkv', cat: 'phase', pid: 2, tid: 4, ts: 0, dur: 9 },
  { ph: 'f', name: 'message', cat: 'message', id: 1, bp: 'e', pid: 2, tid: 4, ts: 7 },
  { ph: 'C', name: 'SRAM core(0,0)', pid: 2, tid: 3, ts: 0, args: { bytes: 100 } },
  { ph: 'C', name: 'SRAM core(0,0)', pid: 2, tid: 3, ts: 3, args: { bytes: 140 } },
];

/** The problems of the good trace with event i replaced (or removed, with null). */
function damaged(i: number, e: Ev | null): string[] {
  const t = good();
  if (e === null) t.splice(i, 1);
  else t[i] = e;
  return checkTrace({ traceEvents: t }).problems;
}

describe('checkTrace', () => {
  it('accepts a well-formed trace and counts what it holds', () => {
    const r = checkTrace({ traceEvents: good(), displayTimeUnit: 'ns' });
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ events: 11, slices: 5, flows: 1, counters: 2, tracks: 3 });
  });

  it('finds a slice that overlaps the end of its parent', () => {
    expect(damaged(3, { ph: 'X', name: 'step', cat: 'step', pid: 2, tid: 3, ts: 0, dur: 12 }).join()).toMatch(/overlaps the end of its parent/);
  });

  it('finds timestamps that go back on a track', () => {
    expect(damaged(6, { ph: 'X', name: 'rope', cat: 'phase', pid: 2, tid: 3, ts: 1, dur: 1 }).join()).toMatch(/before 5 on track 2\/3/);
    expect(damaged(10, { ph: 'C', name: 'SRAM core(0,0)', pid: 2, tid: 3, ts: -1, args: { bytes: 1 } }).join()).toMatch(/bad ts/);
  });

  it('finds flows without their other end, or ending before they start', () => {
    expect(damaged(8, null).join()).toMatch(/flow 1 never ends/);
    expect(damaged(4, null).join()).toMatch(/flow 1 ends without a start/);
    expect(damaged(8, { ph: 'f', name: 'message', cat: 'message', id: 1, bp: 'e', pid: 2, tid: 4, ts: 1 }).join()).toMatch(/ends at 1, before it starts at 2/);
  });

  it('finds malformed events', () => {
    expect(damaged(2, { ph: 'Q', name: 'x', pid: 2, tid: 3, ts: 0 }).join()).toMatch(/unknown ph/);
    expect(damaged(2, { ph: 'X', name: 'x', pid: 2, tid: 3, ts: 0 }).join()).toMatch(/bad dur/);
    expect(damaged(2, { ph: 'X', name: 'x', pid: '2', tid: 3, ts: 0, dur: 1 }).join()).toMatch(/pid is not an integer/);
    expect(damaged(9, { ph: 'C', name: 'SRAM core(0,0)', pid: 2, tid: 3, ts: 0, args: { bytes: 'lots' } }).join()).toMatch(/not a number/);
    expect(damaged(0, { ph: 'M', name: 'colour_scheme', pid: 2, tid: 0, ts: 0, args: {} }).join()).toMatch(/unknown metadata/);
    expect(checkTrace({ events: [] }).problems).toEqual(['no traceEvents array']);
  });

  it('finds unbalanced begin and end events', () => {
    const t = [...good(), { ph: 'B', name: 'open', pid: 2, tid: 4, ts: 20 }];
    expect(checkTrace(t).problems.join()).toMatch(/1 begin event\(s\) never ended/);
    expect(checkTrace([...t, { ph: 'E', pid: 2, tid: 4, ts: 21 }, { ph: 'E', pid: 2, tid: 4, ts: 22 }]).problems.join()).toMatch(/end without a begin/);
  });
});
