// A matrix cut into evenSplit blocks over a rectangle of cores, rows along Y and columns along X or the other way
// round: the simplest blockings a relayout moves between (and what its tests and the analytical model use).

import { evenSplit } from '@wafer/arch';
import type { IndexBlock, RelayoutMatrix } from './relayout.js';

/** A [m × n] matrix over the cores x0..x0+cols-1, y0..y0+rows-1; `rowsAlong` says which axis splits its rows. */
export interface GridBlocking {
  x0: number;
  y0: number;
  rows: number;
  cols: number;
  rowsAlong: 'x' | 'y';
}

function ranges(n: number, parts: number): { start: number[]; owner: Int32Array } {
  const sizes = evenSplit(n, parts);
  const start: number[] = [];
  const owner = new Int32Array(n);
  let o = 0;
  sizes.forEach((s, p) => {
    start.push(o);
    owner.fill(p, o, o + s);
    o += s;
  });
  start.push(o);
  return { start, owner };
}

/** The index blocks of `g` for an [m × n] matrix, and the owner (mesh column or row) of each row and column. */
export function gridBlocks(g: GridBlocking, m: number, n: number) {
  const rowParts = g.rowsAlong === 'y' ? g.rows : g.cols;
  const colParts = g.rowsAlong === 'y' ? g.cols : g.rows;
  const r = ranges(m, rowParts);
  const c = ranges(n, colParts);
  const span = (x: { start: number[] }, p: number) => Array.from({ length: x.start[p + 1] - x.start[p] }, (_, i) => x.start[p] + i);
  const block = (x: number, y: number): IndexBlock | null => {
    const lx = x - g.x0;
    const ly = y - g.y0;
    if (lx < 0 || ly < 0 || lx >= g.cols || ly >= g.rows) return null;
    const [rp, cp] = g.rowsAlong === 'y' ? [ly, lx] : [lx, ly];
    return { rows: span(r, rp), cols: span(c, cp) };
  };
  return { block, rowOwner: r.owner, colOwner: c.owner };
}

/** Moving an [m × n] matrix from blocking `src` to blocking `dst`. */
export function gridRelayout(src: GridBlocking, dst: GridBlocking, m: number, n: number): RelayoutMatrix {
  const s = gridBlocks(src, m, n);
  const d = gridBlocks(dst, m, n);
  const byRow = dst.rowsAlong === 'x';
  return {
    src: s.block,
    dst: d.block,
    xByRow: byRow,
    xOf: (i) => dst.x0 + (byRow ? d.rowOwner[i] : d.colOwner[i]),
    yOf: (_x, i) => dst.y0 + (byRow ? d.colOwner[i] : d.rowOwner[i]),
  };
}
