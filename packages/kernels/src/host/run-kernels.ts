// Host-side runners: place a kernel's operands on the mesh, run it, gather and assemble the result.

import { interleavedRing, plainRing } from '../ring.js';
import { kernelProgram, type GemmAlgo } from '../programs.js';
import type { AllreduceStrategy } from '../collectives/allreduce.js';
import type { Axis } from '../line.js';
import { cutBlock, pasteBlock, split } from './blocks.js';
import type { MeshLike, RunReportLike } from './mesh-like.js';
import { usageError } from '@wafer/arch';
import { gridBlocks, type GridBlocking } from '../collectives/grid-blocking.js';

/** A kernel's assembled output and its run's report (the fabric's full RunReport when run on a Fabric). */
export interface KernelResult<R extends RunReportLike = RunReportLike> {
  out: Float32Array;
  report: R;
}

/**
 * C[M×N] = A[M×K]·B[K×N] on a square P×P mesh with the given algorithm. With `alignB` the host places B
 * unskewed (block (y, x) on core (x, y)) and the Cannon family aligns it on chip.
 */
export async function runGemm<R extends RunReportLike>(mesh: MeshLike<R>, algo: GemmAlgo, a: Float32Array, b: Float32Array, m: number, k: number, n: number, opts: { alignB?: boolean } = {}): Promise<KernelResult<R>> {
  const P = mesh.mesh.rows;
  if (mesh.mesh.cols !== P) throw usageError(`--mesh ${mesh.mesh.rows}x${mesh.mesh.cols}: GEMM kernels need a square P×P mesh`);
  const ms = split(m, P);
  const ks = split(k, P);
  const ns = split(n, P);
  const ring = algo === 'meshgemm' ? interleavedRing(P) : plainRing(P);
  // B's k-block on core (x, y): the Cannon skew in ring coordinates (SUMMA: unskewed).
  const bRow = (x: number, y: number) => (algo === 'summa' || opts.alignB ? y : ring.phys((ring.logical(x) + ring.logical(y)) % P));
  await mesh.place('A', (x, y) => cutBlock(a, k, ms.offsets[y], ms.sizes[y], ks.offsets[x], ks.sizes[x]));
  await mesh.place('B', (x, y) => cutBlock(b, n, ks.offsets[bRow(x, y)], ks.sizes[bRow(x, y)], ns.offsets[x], ns.sizes[x]));
  const report = await mesh.run(kernelProgram('gemmProgram'), { algo, mBlocks: ms.sizes, kBlocks: ks.sizes, nBlocks: ns.sizes, a: 'A', b: 'B', out: 'C', scratch: 'gemm', colors: 0, alignB: opts.alignB });
  const blocks = await mesh.gather('C');
  const c = new Float32Array(m * n);
  for (let y = 0; y < P; y++) for (let x = 0; x < P; x++) pasteBlock(c, n, ms.offsets[y], ns.offsets[x], blocks[y * P + x]!, ms.sizes[y], ns.sizes[x]);
  for (const name of ['A', 'B', 'C']) await mesh.free(name);
  return { out: c, report };
}

/**
 * y[N] = x[M]·W[M×N] on an R×C mesh. With axis 'y' the input is split over the R rows and the output over
 * the C columns (reduction along Y); with axis 'x' the other way round.
 */
export async function runGemv<R extends RunReportLike>(mesh: MeshLike<R>, x: Float32Array, w: Float32Array, m: number, n: number, opts: { axis: Axis; strategy: AllreduceStrategy; groups?: number }): Promise<KernelResult<R>> {
  const { rows, cols } = mesh.mesh;
  const reduceLen = opts.axis === 'y' ? rows : cols;
  const otherLen = opts.axis === 'y' ? cols : rows;
  const ms = split(m, reduceLen);
  const ns = split(n, otherLen);
  const pos = (cx: number, cy: number) => (opts.axis === 'y' ? { r: cy, o: cx } : { r: cx, o: cy });
  await mesh.place('x', (cx, cy) => x.slice(ms.offsets[pos(cx, cy).r], ms.offsets[pos(cx, cy).r] + ms.sizes[pos(cx, cy).r]));
  await mesh.place('W', (cx, cy) => {
    const { r, o } = pos(cx, cy);
    return cutBlock(w, n, ms.offsets[r], ms.sizes[r], ns.offsets[o], ns.sizes[o]);
  });
  const report = await mesh.run(kernelProgram('gemvProgram'), { axis: opts.axis, strategy: opts.strategy, groups: opts.groups, nBlocks: ns.sizes });
  const blocks = await mesh.gather('y');
  const y = new Float32Array(n);
  for (let o = 0; o < otherLen; o++) {
    // Every core of a reduction line holds the same block; read it from the line's first core.
    const idx = opts.axis === 'y' ? o : o * cols;
    y.set(blocks[idx]!, ns.offsets[o]);
  }
  for (const name of ['x', 'W', 'y']) await mesh.free(name);
  return { out: y, report };
}

/** Allreduce of each core's vector along the axis; returns every core's result in core order. */
export async function runAllreduce(mesh: MeshLike, vectors: Float32Array[], opts: { axis: Axis; strategy: AllreduceStrategy; op: 'sum' | 'max'; groups?: number }): Promise<{ results: Float32Array[]; report: RunReportLike }> {
  const cols = mesh.mesh.cols;
  await mesh.place('v', (x, y) => vectors[y * cols + x]);
  const report = await mesh.run(kernelProgram('allreduceProgram'), opts);
  const results = (await mesh.gather('r')) as Float32Array[];
  await mesh.free('v');
  await mesh.free('r');
  return { results, report };
}

/** Row shift of every core's block of n values ([rows × cols × n] in core order) one hop east. */
export async function runShift<R extends RunReportLike>(mesh: MeshLike<R>, blocks: Float32Array, n: number): Promise<KernelResult<R>> {
  const { rows, cols } = mesh.mesh;
  await mesh.place('x', (x, y) => blocks.slice((y * cols + x) * n, (y * cols + x + 1) * n));
  const report = await mesh.run(kernelProgram('shiftProgram'));
  const out = new Float32Array(rows * cols * n);
  (await mesh.gather('y')).forEach((b, c) => out.set(b!, c * n));
  for (const name of ['x', 'y']) await mesh.free(name);
  return { out, report };
}

/** S[M×N] = Q[M×D]·K[N×D]ᵀ on a square mesh, transpose-free. */
export async function runQkt(mesh: MeshLike, q: Float32Array, k: Float32Array, m: number, d: number, n: number): Promise<KernelResult> {
  const P = mesh.mesh.rows;
  if (mesh.mesh.cols !== P) throw usageError(`--mesh ${mesh.mesh.rows}x${mesh.mesh.cols}: Q·Kᵀ needs a square P×P mesh`);
  const qs = split(m, P);
  const ks = split(n, P);
  const ds = split(d, P);
  await mesh.place('Q', (x, y) => cutBlock(q, d, qs.offsets[y], qs.sizes[y], ds.offsets[x], ds.sizes[x]));
  await mesh.place('K', (x, y) => cutBlock(k, d, ks.offsets[y], ks.sizes[y], ds.offsets[x], ds.sizes[x]));
  const report = await mesh.run(kernelProgram('qktProgram'), { qBlocks: qs.sizes, kBlocks: ks.sizes, dBlocks: ds.sizes, q: 'Q', k: 'K', out: 'S', colors: 0 });
  const blocks = await mesh.gather('S');
  const s = new Float32Array(m * n);
  for (let y = 0; y < P; y++) for (let x = 0; x < P; x++) pasteBlock(s, n, qs.offsets[y], ks.offsets[x], blocks[y * P + x]!, qs.sizes[y], ks.sizes[x]);
  for (const name of ['Q', 'K', 'S']) await mesh.free(name);
  return { out: s, report };
}

/** Moves an [m × n] matrix from blocking `src` to blocking `dst` over the mesh; returns it reassembled from `dst`. */
export async function runRelayout(mesh: MeshLike, mat: Float32Array, m: number, n: number, src: GridBlocking, dst: GridBlocking): Promise<KernelResult> {
  const { cols, rows } = mesh.mesh;
  const s = gridBlocks(src, m, n);
  await mesh.place('M', (x, y) => {
    const b = s.block(x, y);
    return b === null ? undefined : Float32Array.from(Array.from(b.rows).flatMap((r) => Array.from(b.cols, (c) => mat[r * n + c])));
  });
  const report = await mesh.run(kernelProgram('relayoutProgram'), { m, n, src, dst });
  const blocks = await mesh.gather('R');
  const d = gridBlocks(dst, m, n);
  const out = new Float32Array(m * n);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const b = d.block(x, y);
      if (b === null) continue;
      const data = blocks[y * cols + x]!;
      Array.from(b.rows).forEach((r, i) => Array.from(b.cols).forEach((c, j) => (out[r * n + c] = data[i * b.cols.length + j])));
    }
  }
  await mesh.free('R');
  return { out, report };
}
