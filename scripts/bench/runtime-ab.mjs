// A/B of the tile runtime of this checkout against another built checkout (`--against=DIR`): in each of several
// processes both builds' TileRuntime are loaded side by side and their samples alternate, so both see the same
// machine state. On this machine class separate processes differ by up to 2×, and even in one process the median
// of a sample moves by 10–20% against itself on a busy day, so a runtime change of a few percent needs more care:
// * Many short samples (one decode step at a fixed position, one batch of allreduces, one exchange), compared by
//   their 10th percentile: interference from the host only ever adds time, so the fast tail is the steady part.
// * Several processes, each build loaded first in half of them, and the median of their ratios: within one process
//   an identical copy of a build ran up to 19% faster or slower than the original, consistently (the JIT's and the
//   heap's placement of each copy), and which one won changed from process to process.
// Workloads: the fabric's nearest-neighbour exchange on 64×64, the K-tree allreduce alone on 8×8 (one float per
// core, with each build's own kernels), and stories260K decode steps on 8×8. Printed, never asserted.
// With --big, also decode steps of the stories15M-shaped synth (seed 15) on 28×28 (the speed goal's workload).
// With --engines, also whole mesh engines (MeshLlama of each build: worker threads, rings, the coordinator's round
// trips) decoding stories260K on 8×8 with 2 threads: a fresh engine per sample, the builds' order flipping every
// pair, compared by the median of per-pair ratios (engines kept alive side by side favoured one of them by 13%
// against itself). Noisier: ±10% against itself. With both --big and --engines, also the stories15M shape on 28×28.
// Both builds run with this build's control memory, decode layout and weight placement (the other build's tile
// runtime, kernels and programs): compare builds that agree on those. The allreduce row's program delegates with
// `yield*`, which every build runs, so it does not show how a build runs sub-programs.
// Usage: pnpm bench runtime-ab --against=/path/to/other/checkout   [--runs=N] [--samples=N] [--pos=N] [--pairs=N] [--big] [--engines]
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';
import { median } from '../lib/median.mjs';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const flag = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
/** --name=N as a whole number of at least `min` (default `dflt`); anything else ends the script with a one-line error. */
function count(name, dflt, min = 1) {
  const v = flag(name);
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) < min) {
    console.error(`runtime-ab: --${name} must be a whole number of at least ${min}, got '${v}'`);
    process.exit(2);
  }
  return Number(v);
}
const against = flag('against');
const samples = count('samples', 200, 10);
const pairs = count('pairs', 12);
const runs = count('runs', 6, 2);
if (runs % 2 !== 0) {
  console.error(`runtime-ab: --runs must be even (each build is loaded first in half of the processes), got ${runs}`);
  process.exit(2);
}
const pos260 = count('pos', 24, 0); // the stories260K step's position (longer contexts: longer score vectors)
const big = process.argv.includes('--big');
const engines = process.argv.includes('--engines');
const child = flag('child'); // 'this-first' | 'other-first': one process of the two (internal)
if (against === undefined) {
  console.log('runtime-ab: skipped (give --against=DIR, a built checkout to compare this one with)');
  process.exit(0);
}
// --quick is for the other benchmarks of a `pnpm bench --quick` run; anything else unknown is a mistake.
const FLAGS = ['against', 'samples', 'pairs', 'runs', 'pos', 'big', 'engines', 'child', 'quick'];
for (const a of process.argv.slice(2)) {
  const name = /^--([a-z]+)/.exec(a)?.[1];
  if (name === undefined || !FLAGS.includes(name)) {
    console.error(`runtime-ab: unknown argument '${a}' (flags: --against=DIR --runs=N --samples=N --pos=N --pairs=N --big --engines)`);
    process.exit(2);
  }
}
const builds = { this: REPO, other: resolve(against) };
for (const dir of Object.values(builds)) {
  if (!existsSync(join(dir, 'packages/fabric/dist/worker/tile-runtime.js'))) {
    console.error(`runtime-ab: ${dir} has no built tile runtime (run pnpm build there first)`);
    process.exit(2);
  }
}

if (child === undefined) {
  // The parent: `runs` child processes, the load order alternating, then the table.
  const { loadModel } = await import('@wafer/llama');
  const seqLen = loadModel(join(REPO, 'models/stories260K/stories260K.bin')).config.seqLen;
  if (pos260 >= seqLen) {
    console.error(`runtime-ab: --pos=${pos260} is past stories260K's context of ${seqLen} positions`);
    process.exit(2);
  }
  const results = [];
  for (let r = 0; r < runs; r++) {
    const order = r % 2 ? 'other-first' : 'this-first';
    let out;
    try {
      out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), ...process.argv.slice(2), `--child=${order}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 });
    } catch (err) {
      process.exit(err.status ?? 1); // the child has said why on stderr
    }
    results.push(JSON.parse(out.trim().split('\n').pop()));
  }
  const f = (v, unit) => v.toFixed(unit === 'ms/step' ? 2 : 0);
  console.log(`this checkout against ${builds.other}: ${runs} processes, each build loaded first in half of them; sampled rows compare the 10th percentiles of ${samples} alternating samples per build, engine rows take the median of ${pairs} per-pair ratios\n`);
  console.log('| workload | unit | this | other | this / other in each process | median |');
  console.log('| --- | --- | ---: | ---: | --- | ---: |');
  results[0].forEach((row, k) => {
    const all = results.map((res) => res[k]);
    const ratios = all.map((a) => a.ratio);
    console.log(`| ${row.workload} | ${row.unit} | ${f(median(all.map((a) => a.this)), row.unit)} | ${f(median(all.map((a) => a.other)), row.unit)} | ${ratios.map((x) => x.toFixed(3)).join(' ')} | **${median(ratios).toFixed(3)}** |`);
  });
  process.exit(0);
}

const { parseMachineSpec, partitionTiles } = await import('@wafer/arch');
const { ControlState } = await import('@wafer/fabric');
const { decodeLayout, loadModel, placeDecodeWeights, ropeFrequencies, synthesize, synthShape } = await import('@wafer/llama');
const order = child === 'other-first' ? ['other', 'this'] : ['this', 'other'];
const machine = (name) => parseMachineSpec(JSON.parse(readFileSync(join(REPO, `configs/machines/${name}.json`), 'utf8')), `${name}.json`);
const load = (dir, path) => import(pathToFileURL(join(dir, path)).href);

/** A TileRuntime of build `dir` owning the whole mesh (one thread, this process). */
async function tileOf(dir, mesh, spec) {
  const { TileRuntime } = await load(dir, 'packages/fabric/dist/worker/tile-runtime.js');
  return new TileRuntime({ tileId: 0, tiles: partitionTiles(mesh, 1), mesh, machine: spec, sramUnlimited: true, spinMicros: 0, profileWall: false, control: ControlState.create(1).sab, routeTable: new SharedArrayBuffer(mesh.rows * mesh.cols * 32 * 4), rings: [] });
}

/** A tile run's result, if its cores all finished; otherwise the sample is void and the script stops. */
function finished(r, what) {
  if (r.kind !== 'done') throw new Error(`${what} did not finish (${r.kind}): ${r.failure?.message ?? ''}`);
  return r;
}

/** Sets up each build, in this process's load order. */
async function setupBoth(make) {
  const setups = {};
  for (const k of order) setups[k] = await make(builds[k]);
  return setups;
}

/** 10th percentile of xs. */
const p10 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 10)];

/** `n` samples of `measure` per build, alternating (the order flips every pair); 10th percentiles and their ratio. */
async function sampled(setups, n, measure) {
  const s = { this: [], other: [] };
  for (let p = 0; p < n; p++) for (const k of p % 2 ? ['other', 'this'] : ['this', 'other']) s[k].push(await measure(setups[k]));
  return { this: p10(s.this), other: p10(s.other), ratio: p10(s.this) / p10(s.other) };
}

/** `pairs` samples of `measure` per build, alternating; medians, and the median of the per-pair ratios. */
async function paired(setups, measure) {
  const s = { this: [], other: [] };
  const ratios = [];
  for (let p = 0; p < pairs; p++) {
    for (const k of p % 2 ? ['other', 'this'] : ['this', 'other']) s[k].push(await measure(setups[k]));
    ratios.push(s.this[p] / s.other[p]);
  }
  return { this: median(s.this), other: median(s.other), ratio: median(ratios) };
}

const rows = [];
{
  const side = 64;
  const mesh = { rows: side, cols: side };
  const rounds = 2;
  const setups = await setupBoth(async (dir) => {
    const { neighbourExchange } = await load(dir, 'packages/fabric/dist/testing/programs.js');
    const tile = await tileOf(dir, mesh, machine('dev'));
    tile.run(neighbourExchange, { rounds, words: 1 });
    return { tile, program: neighbourExchange };
  });
  const m = await sampled(setups, Math.ceil(samples / 2), ({ tile, program }) => {
    const t = performance.now();
    const r = finished(tile.run(program, { rounds, words: 1 }), 'the exchange');
    return ((performance.now() - t) * 1e6) / r.summary.messages;
  });
  rows.push({ workload: `fabric exchange ${side}x${side}, 1-float messages`, unit: 'ns/message', ...m });
}
/** A program of `calls` K-tree allreduces of one float along Y, with the build's own kernels (passed in the args). */
function* allreduceCalls(core, a) {
  for (let r = 0; r < a.calls; r++) {
    const v = core.scratch(1);
    v[0] = 1;
    yield* a.allreduce(core, a.lineOf(core, 'y'), v, a.opts);
  }
}
{
  // The collective alone, without a decode step's other work: ns per allreduce call and core on 8×8.
  const side = 8;
  const mesh = { rows: side, cols: side };
  const calls = 50;
  const setups = await setupBoth(async (dir) => {
    const { allreduce, lineOf } = await load(dir, 'packages/kernels/dist/index.js');
    const tile = await tileOf(dir, mesh, machine('wse2'));
    const args = { calls, allreduce, lineOf, opts: { strategy: 'ktree', op: 'sum', colors: 0 } };
    tile.run(allreduceCalls, args);
    return { tile, args };
  });
  const m = await sampled(setups, samples, ({ tile, args }) => {
    const t = performance.now();
    finished(tile.run(allreduceCalls, args), 'the allreduces');
    return ((performance.now() - t) * 1e6) / (calls * side * side);
  });
  rows.push({ workload: `K-tree allreduce of 1 float along Y, ${side}x${side}`, unit: 'ns/call and core', ...m });
}
/** One decode step of `model` on side×side at position `pos` per sample (positions 0..pos filled first). */
async function decodeRow(name, model, side, pos, n) {
  const mesh = { rows: side, cols: side };
  const layout = decodeLayout(model.config, mesh, ropeFrequencies(model.config));
  const setups = await setupBoth(async (dir) => {
    const { decodeStep } = await load(dir, 'packages/llama/dist/mesh/decode-program.js');
    const tile = await tileOf(dir, mesh, machine('wse2'));
    await placeDecodeWeights({ place: async (name, block) => { for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) { const b = block(x, y); if (b) tile.placeGlobal(y * side + x, name, b); } } }, model, layout);
    for (let p = 0; p <= pos; p++) tile.run(decodeStep, { layout, token: 1, pos: p, strategy: 'ktree' });
    return { tile, program: decodeStep };
  });
  const m = await sampled(setups, n, ({ tile, program }) => {
    const t = performance.now();
    finished(tile.run(program, { layout, token: 1, pos, strategy: 'ktree' }), `the ${name} decode step`);
    return performance.now() - t;
  });
  rows.push({ workload: `${name} decode step ${side}x${side} (position ${pos})`, unit: 'ms/step', ...m });
}
await decodeRow('stories260K', loadModel(join(REPO, 'models/stories260K/stories260K.bin')), 8, pos260, samples);
if (big) await decodeRow('stories15M synth', synthesize(synthShape('stories15M'), 15), 28, 4, Math.ceil(samples / 8));
/** Whole mesh engines of each build (its own packages: each starts its worker threads from its own dist). */
async function engineRow(name, modelOf, side, warm, steps) {
  const setups = await setupBoth(async (dir) => {
    const llama = await load(dir, 'packages/llama/dist/index.js');
    return { llama, model: modelOf(llama, dir) };
  });
  const m = await paired(setups, async ({ llama, model }) => {
    const e = await llama.MeshLlama.create(model, { mesh: { rows: side, cols: side }, threads: 2, machine: machine('wse2') });
    try {
      for (let pos = 0; pos < warm; pos++) await e.forward(1, pos);
      const t = performance.now();
      for (let pos = warm; pos < warm + steps; pos++) await e.forward(1, pos);
      return (performance.now() - t) / steps;
    } finally {
      await e.close();
    }
  });
  rows.push({ workload: `${name} decode step ${side}x${side}, whole engine, 2 threads (positions ${warm}-${warm + steps - 1})`, unit: 'ms/step', ...m });
}
if (engines) {
  await engineRow('stories260K', (llama, dir) => llama.loadModel(join(dir, 'models/stories260K/stories260K.bin')), 8, 8, 24);
  if (big) await engineRow('stories15M synth', (llama) => llama.synthesize(llama.synthShape('stories15M'), 15), 28, 2, 4);
}
console.log(JSON.stringify(rows));
