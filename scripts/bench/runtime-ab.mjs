// A/B of the tile runtime of this checkout against another built checkout (`--against=DIR`), in one process:
// both builds' TileRuntime are loaded side by side and their runs alternate, so both see the same machine state.
// On this machine class separate processes differ by up to 2×, so a runtime change of 5–20% is only visible this
// way (an A/A comparison gives 1.00–1.07). Workloads: the fabric's nearest-neighbour exchange on 64×64, the K-tree
// allreduce alone on 8×8 (one float per core, with each build's own kernels), and stories260K decode steps on 8×8.
// Prints medians and the ratio this/other; never asserted.
// With --big, also decode steps of the stories15M-shaped synth (seed 15) on 28×28 (the speed goal's workload).
// With --engines, also whole mesh engines (MeshLlama of each build: worker threads, rings, the coordinator's round
// trips) decoding stories260K on 8×8 with 2 threads: a fresh engine per sample, the builds' order flipping every
// pair (engines kept alive side by side favoured one of them by 13% against itself). Noisier: ±10% against itself.
// With both --big and --engines, also whole engines decoding the stories15M-shaped synth on 28×28.
// Usage: pnpm bench runtime-ab --against=/path/to/other/checkout   [--pairs=N] [--big] [--engines]
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';
import { parseMachineSpec, partitionTiles } from '@wafer/arch';
import { ControlState } from '@wafer/fabric';
import { decodeLayout, loadModel, placeDecodeWeights, ropeFrequencies, synthesize, synthShape } from '@wafer/llama';
import { median } from '../lib/median.mjs';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const against = process.argv.find((a) => a.startsWith('--against='))?.slice('--against='.length);
const pairs = Number(process.argv.find((a) => a.startsWith('--pairs='))?.slice('--pairs='.length) ?? 20);
const big = process.argv.includes('--big');
const engines = process.argv.includes('--engines');
if (against === undefined) {
  console.log('runtime-ab: skipped (give --against=DIR, a built checkout to compare this one with)');
  process.exit(0);
}
const builds = { this: REPO, other: resolve(against) };
for (const dir of Object.values(builds)) {
  if (!existsSync(join(dir, 'packages/fabric/dist/worker/tile-runtime.js'))) {
    console.error(`runtime-ab: ${dir} has no built tile runtime (run pnpm build there first)`);
    process.exit(2);
  }
}
const machine = (name) => parseMachineSpec(JSON.parse(readFileSync(join(REPO, `configs/machines/${name}.json`), 'utf8')), `${name}.json`);
const load = (dir, path) => import(pathToFileURL(join(dir, path)).href);

/** A TileRuntime of build `dir` owning the whole mesh (one thread, this process). */
async function tileOf(dir, mesh, spec) {
  const { TileRuntime } = await load(dir, 'packages/fabric/dist/worker/tile-runtime.js');
  return new TileRuntime({ tileId: 0, tiles: partitionTiles(mesh, 1), mesh, machine: spec, sramUnlimited: true, spinMicros: 0, profileWall: false, control: ControlState.create(1).sab, routeTable: new SharedArrayBuffer(mesh.rows * mesh.cols * 32 * 4), rings: [] });
}

/**
 * Alternates `run(k)` of the two builds `pairs` times (the order flips every pair); medians of `measure`, and the
 * median of the per-pair ratios (robust to the machine's speed drifting during the run).
 */
async function alternate(setups, measure) {
  const samples = { this: [], other: [] };
  const ratios = [];
  for (let p = 0; p < pairs; p++) {
    for (const k of p % 2 ? ['other', 'this'] : ['this', 'other']) samples[k].push(await measure(setups[k]));
    ratios.push(samples.this[p] / samples.other[p]);
  }
  return { this: median(samples.this), other: median(samples.other), ratio: median(ratios) };
}

const rows = [];
{
  const side = 64;
  const mesh = { rows: side, cols: side };
  const rounds = 8;
  const setups = {};
  for (const [k, dir] of Object.entries(builds)) {
    const { neighbourExchange } = await load(dir, 'packages/fabric/dist/testing/programs.js');
    const tile = await tileOf(dir, mesh, machine('dev'));
    tile.run(neighbourExchange, { rounds, words: 1 });
    setups[k] = { tile, program: neighbourExchange };
  }
  const m = await alternate(setups, ({ tile, program }) => {
    const t = performance.now();
    const r = tile.run(program, { rounds, words: 1 });
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
  const calls = 200;
  const setups = {};
  for (const [k, dir] of Object.entries(builds)) {
    const { allreduce, lineOf } = await load(dir, 'packages/kernels/dist/index.js');
    const tile = await tileOf(dir, mesh, machine('wse2'));
    const args = { calls, allreduce, lineOf, opts: { strategy: 'ktree', op: 'sum', colors: 0 } };
    tile.run(allreduceCalls, args);
    setups[k] = { tile, args };
  }
  const m = await alternate(setups, ({ tile, args }) => {
    const t = performance.now();
    tile.run(allreduceCalls, args);
    return ((performance.now() - t) * 1e6) / (calls * side * side);
  });
  rows.push({ workload: `K-tree allreduce of 1 float along Y, ${side}x${side}`, unit: 'ns/call and core', ...m });
}
/** Decode steps of `model` on side×side, positions 0..steps-1 each time, so both builds decode the same work. */
async function decodeRow(name, model, side, steps) {
  const mesh = { rows: side, cols: side };
  const layout = decodeLayout(model.config, mesh, ropeFrequencies(model.config));
  const setups = {};
  for (const [k, dir] of Object.entries(builds)) {
    const { decodeStep } = await load(dir, 'packages/llama/dist/mesh/decode-program.js');
    const tile = await tileOf(dir, mesh, machine('wse2'));
    await placeDecodeWeights({ place: async (name, block) => { for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) { const b = block(x, y); if (b) tile.placeGlobal(y * side + x, name, b); } } }, model, layout);
    for (let pos = 0; pos < 4; pos++) tile.run(decodeStep, { layout, token: 1, pos, strategy: 'ktree' });
    setups[k] = { tile, program: decodeStep };
  }
  const m = await alternate(setups, ({ tile, program }) => {
    const t = performance.now();
    for (let pos = 0; pos < steps; pos++) tile.run(program, { layout, token: 1, pos, strategy: 'ktree' });
    return (performance.now() - t) / steps;
  });
  rows.push({ workload: `${name} decode step ${side}x${side} (positions 0-${steps - 1})`, unit: 'ms/step', ...m });
}
await decodeRow('stories260K', loadModel(join(REPO, 'models/stories260K/stories260K.bin')), 8, 16);
if (big) await decodeRow('stories15M synth', synthesize(synthShape('stories15M'), 15), 28, 2);
/** Whole mesh engines of each build (its own packages: each starts its worker threads from its own dist). */
async function engineRow(name, modelOf, side, warm, steps) {
  const setups = {};
  for (const [k, dir] of Object.entries(builds)) {
    const llama = await load(dir, 'packages/llama/dist/index.js');
    setups[k] = { llama, model: modelOf(llama, dir) };
  }
  const m = await alternate(setups, async ({ llama, model }) => {
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

console.log(`this checkout against ${builds.other}, one process, ${pairs} alternating pairs, medians\n`);
console.log('| workload | unit | this | other | this / other | median of pair ratios |');
console.log('| --- | --- | ---: | ---: | ---: | ---: |');
for (const r of rows) console.log(`| ${r.workload} | ${r.unit} | ${r.this.toFixed(r.unit === 'ms/step' ? 2 : 0)} | ${r.other.toFixed(r.unit === 'ms/step' ? 2 : 0)} | ${(r.this / r.other).toFixed(3)} | ${r.ratio.toFixed(3)} |`);
