// Planning a relayout (a matrix held as index blocks moved into another blocking over the mesh, X then Y): each
// core's block, its pieces per destination column (stage 1, along rows) and per destination row (stage 2, along
// columns), and the piece sizes along each line. Pure geometry, shared by the kernel that moves the data
// (@wafer/kernels relayout) and the analytical model that times it (@wafer/perf).

/** The rows and columns of the logical matrix a core holds (its block is [rows × cols], row-major). */
export interface IndexBlock {
  rows: ArrayLike<number>;
  cols: ArrayLike<number>;
}

/** One matrix to move: where its blocks are, where they go, and how an element finds its destination core. */
export interface RelayoutMatrix {
  /** The block of global core (x, y) before (null: none). */
  src(x: number, y: number): IndexBlock | null;
  /** The block of global core (x, y) after (null: none). */
  dst(x: number, y: number): IndexBlock | null;
  /** Whether the destination column is chosen by the element's row index (else by its column index). */
  xByRow: boolean;
  /** Destination mesh column of that index. */
  xOf(index: number): number;
  /** Destination mesh row of an element in destination column x, from its other index. */
  yOf(x: number, index: number): number;
}

/** A sub-block: the rows and columns of the logical matrix it covers. */
export interface Piece {
  rows: number[];
  cols: number[];
}

const EMPTY: Piece = { rows: [], cols: [] };
/** Values in a piece. */
export const pieceSize = (p: Piece) => p.rows.length * p.cols.length;

/**
 * Everything every core of a run computes about one relayout, computed lazily once per thread: each core's block,
 * its pieces per destination column (stage 1), and each of those split per destination row (stage 2).
 */
export class RelayoutPlan {
  private readonly blocks: (IndexBlock | null | undefined)[][];
  private readonly col1: (Piece[] | undefined)[][]; // [k][ys·C + xs] → per destination column
  private readonly row2: ((Piece[] | undefined)[] | undefined)[][]; // [k][ys·C + xs][xd] → per destination row
  readonly lines1: (LineSizes | undefined)[];
  readonly lines2: (LineSizes | undefined)[];
  constructor(readonly mats: RelayoutMatrix[], readonly R: number, readonly C: number) {
    this.blocks = mats.map(() => new Array(R * C));
    this.col1 = mats.map(() => new Array(R * C));
    this.row2 = mats.map(() => new Array(R * C));
    this.lines1 = new Array(R);
    this.lines2 = new Array(C);
  }

  block(k: number, x: number, y: number): IndexBlock | null {
    const i = y * this.C + x;
    let b = this.blocks[k][i];
    if (b === undefined) this.blocks[k][i] = b = this.mats[k].src(x, y);
    return b;
  }

  /** The part of (xs, ys)'s block of matrix k whose destination column is xd. */
  piece1(k: number, xs: number, ys: number, xd: number): Piece {
    const i = ys * this.C + xs;
    let per = this.col1[k][i];
    if (per === undefined) this.col1[k][i] = per = this.splitColumns(k, this.block(k, xs, ys));
    return per[xd];
  }

  /** The part of piece1(k, xs, ys, xd) whose destination row is yd. */
  piece2(k: number, xs: number, ys: number, xd: number, yd: number): Piece {
    const i = ys * this.C + xs;
    const byX = (this.row2[k][i] ??= new Array(this.C));
    let per = byX[xd];
    if (per === undefined) byX[xd] = per = this.splitRows(k, this.piece1(k, xs, ys, xd), xd);
    return per[yd];
  }

  private splitColumns(k: number, b: IndexBlock | null): Piece[] {
    const m = this.mats[k];
    const out = Array.from({ length: this.C }, (): Piece => ({ rows: [], cols: [] }));
    if (b === null) return out.map(() => EMPTY);
    const [split, keep] = m.xByRow ? [b.rows, b.cols] : [b.cols, b.rows];
    const kept = Array.from(keep);
    for (let i = 0; i < split.length; i++) (m.xByRow ? out[m.xOf(split[i])].rows : out[m.xOf(split[i])].cols).push(split[i]);
    for (const p of out) {
      if (m.xByRow) p.cols = kept;
      else p.rows = kept;
    }
    return out.map((p) => (pieceSize(p) === 0 ? EMPTY : p));
  }

  private splitRows(k: number, p: Piece, xd: number): Piece[] {
    const m = this.mats[k];
    if (pieceSize(p) === 0) return new Array<Piece>(this.R).fill(EMPTY);
    const out = Array.from({ length: this.R }, (): Piece => ({ rows: m.xByRow ? p.rows : [], cols: m.xByRow ? [] : p.cols }));
    const by = m.xByRow ? p.cols : p.rows;
    for (const i of by) (m.xByRow ? out[m.yOf(xd, i)].cols : out[m.yOf(xd, i)].rows).push(i);
    return out.map((q) => (pieceSize(q) === 0 ? EMPTY : q));
  }
}

/** Piece sizes along a line of n cores: [s][d], and per source the values left from each destination on. */
export interface LineSizes {
  n: number;
  piece: number[][];
  fromUp: number[][]; // [s][d]: Σ piece[s][d..n-1]
  fromDown: number[][]; // [s][d]: Σ piece[s][0..d]
}

export function lineSizes(n: number, f: (s: number, d: number) => number): LineSizes {
  const piece = Array.from({ length: n }, (_, s) => Array.from({ length: n }, (_, d) => (s === d ? 0 : f(s, d))));
  const fromUp = piece.map((row) => {
    const out = new Array<number>(n + 1).fill(0);
    for (let d = n - 1; d >= 0; d--) out[d] = out[d + 1] + row[d];
    return out;
  });
  const fromDown = piece.map((row) => {
    const out = new Array<number>(n).fill(0);
    for (let d = 0; d < n; d++) out[d] = (d > 0 ? out[d - 1] : 0) + row[d];
    return out;
  });
  return { n, piece, fromUp, fromDown };
}


/** Piece sizes along row y (stage 1: every matrix's pieces from column s to column d). */
export function stage1Sizes(plan: RelayoutPlan, y: number): LineSizes {
  return (plan.lines1[y] ??= lineSizes(plan.C, (xs, xd) => {
    let n = 0;
    for (let k = 0; k < plan.mats.length; k++) n += pieceSize(plan.piece1(k, xs, y, xd));
    return n;
  }));
}

/** Piece sizes along column x (stage 2: what row s holds for row d, every matrix and source column). */
export function stage2Sizes(plan: RelayoutPlan, x: number): LineSizes {
  return (plan.lines2[x] ??= lineSizes(plan.R, (ys, yd) => {
    let n = 0;
    for (let k = 0; k < plan.mats.length; k++) for (let xs = 0; xs < plan.C; xs++) n += pieceSize(plan.piece2(k, xs, ys, x, yd));
    return n;
  }));
}

/**
 * The piece sizes of a relayout along the given rows (stage 1) and columns (stage 2), counted without building
 * the pieces: one pass over every block. Equal to stage1Sizes and stage2Sizes of a RelayoutPlan, for meshes too
 * large to plan piece by piece (the analytical model follows a sample of lines of a 660×660 grid).
 */
export function countLineSizes(mats: RelayoutMatrix[], R: number, C: number, rows: number[], cols: number[]): { stage1: Map<number, LineSizes>; stage2: Map<number, LineSizes> } {
  const wantRow = new Set(rows);
  const wantCol = new Set(cols);
  const p1 = new Map(rows.map((y) => [y, zeros(C)]));
  const p2 = new Map(cols.map((x) => [x, zeros(R)]));
  for (let ys = 0; ys < R; ys++) {
    for (let xs = 0; xs < C; xs++) {
      for (const m of mats) {
        const b = m.src(xs, ys);
        if (b === null) continue;
        const [split, other] = m.xByRow ? [b.rows, b.cols] : [b.cols, b.rows];
        const perX = new Map<number, number>(); // destination column → split indices going there
        for (let i = 0; i < split.length; i++) {
          const xd = m.xOf(split[i]);
          perX.set(xd, (perX.get(xd) ?? 0) + 1);
        }
        for (const [xd, n] of perX) {
          if (wantRow.has(ys) && xd !== xs) p1.get(ys)![xs][xd] += n * other.length;
          if (!wantCol.has(xd)) continue;
          const piece = p2.get(xd)!;
          for (let j = 0; j < other.length; j++) {
            const yd = m.yOf(xd, other[j]);
            if (yd !== ys) piece[ys][yd] += n;
          }
        }
      }
    }
  }
  const stage1 = new Map([...p1].map(([y, piece]) => [y, lineSizesOf(piece)]));
  const stage2 = new Map([...p2].map(([x, piece]) => [x, lineSizesOf(piece)]));
  return { stage1, stage2 };
}

function zeros(n: number): number[][] {
  return Array.from({ length: n }, () => new Array<number>(n).fill(0));
}

function lineSizesOf(piece: number[][]): LineSizes {
  return lineSizes(piece.length, (s, d) => piece[s][d]);
}
