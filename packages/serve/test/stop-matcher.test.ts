// Stop strings over streamed pieces: cut at the first match, never release part of a stop string early.
import { describe, expect, it } from 'vitest';
import { StopMatcher } from '@wafer/serve';

/** Feeds pieces and returns what was released and whether it stopped. */
function feed(stops: string[], pieces: string[]): { released: string[]; stopped: boolean; rest: string } {
  const m = new StopMatcher(stops);
  const released: string[] = [];
  for (const p of pieces) {
    const r = m.push(p);
    released.push(r.text);
    if (r.stopped) return { released, stopped: true, rest: '' };
  }
  return { released, stopped: false, rest: m.flush() };
}

describe('StopMatcher', () => {
  it('cuts at a stop string split across pieces and holds back its possible start', () => {
    const r = feed(['\nUser:'], ['Hello', ' there\n', 'Us', 'er: hi']);
    expect(r.released).toEqual(['Hello', ' there', '', '']);
    expect(r.stopped).toBe(true);
  });

  it('releases held-back text when it turns out not to be a stop string', () => {
    const r = feed(['END'], ['the E', 'ND', 'x']);
    expect(r.released).toEqual(['the ', '']);
    expect(r.stopped).toBe(true);
    const s = feed(['END'], ['the E', 'N', 'd of it']);
    expect(s.released.join('') + s.rest).toBe('the ENd of it');
    expect(s.stopped).toBe(false);
  });

  it('the earliest of several stop strings wins, and without stops everything passes', () => {
    expect(feed(['c', 'b'], ['abcd']).released).toEqual(['a']);
    expect(feed([], ['a', 'b']).released).toEqual(['a', 'b']);
  });

  it('text held at the end is given back by flush', () => {
    const r = feed(['STOP'], ['abc ST']);
    expect(r.released).toEqual(['abc ']);
    expect(r.rest).toBe('ST');
  });
});
