// countRoutes: entries per router and the first merge conflict, checked against a plain reading of the bits.

import { describe, expect, it } from 'vitest';
import { countRoutes } from '../src/host/route-table.js';

/** Bit (input * 5 + output) per entry; a conflict is an output fed by two inputs. */
function naiveConflict(bits: number): boolean {
  for (let out = 0; out < 5; out++) {
    let inputs = 0;
    for (let input = 0; input < 5; input++) if (bits & (1 << (input * 5 + out))) inputs++;
    if (inputs > 1) return true;
  }
  return false;
}

describe('countRoutes', () => {
  it('finds a conflict exactly when an output port has two inputs, for random entries', () => {
    let seed = 12345;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16; // the high bits of an LCG
    let conflicts = 0;
    for (let k = 0; k < 4000; k++) {
      // Few bits per entry, as real entries have: about half of them conflict.
      let bits = 0;
      const count = 1 + (next() % 4);
      for (let b = 0; b < count; b++) bits |= 1 << (next() % 25);
      const table = new Uint32Array(2 * 32);
      table[32 + 7] = bits;
      const r = countRoutes(table, { rows: 1, cols: 2 });
      expect(r.conflict !== null).toBe(naiveConflict(bits));
      if (r.conflict !== null) {
        conflicts++;
        expect(r.conflict).toMatchObject({ x: 1, y: 0, color: 7 });
        expect(r.conflict.ports.length).toBeGreaterThan(1);
      }
      expect(r.perRouter[1]).toBe(bits.toString(2).split('1').length - 1);
    }
    expect(conflicts).toBeGreaterThan(500);
    expect(conflicts).toBeLessThan(3500);
  });

  it('names the ports of the first conflict', () => {
    const table = new Uint32Array(4 * 32);
    // Router 2 (x 0, y 1 on a 2x2 mesh), colour 3: N (0) and W (3) both deliver to the core (4).
    table[2 * 32 + 3] = (1 << (0 * 5 + 4)) | (1 << (3 * 5 + 4));
    expect(countRoutes(table, { rows: 2, cols: 2 }).conflict).toEqual({ x: 0, y: 1, color: 3, ports: ['N', 'W'], out: 'core' });
  });
});
