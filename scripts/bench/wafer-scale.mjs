// Scale check of the emulator: one Llama3-8B-shaped decode layer (seeded random weights, real GQA heads,
// a 4K context of random K/V) on a 420×420 mesh (176,400 cores), checked against the reference engine and
// compared with the analytical model; then the same in the paper's convention (one head of width dim,
// dimensions padded to multiples of P) beside the paper's 12,732 cycles per layer.
// `--quick`: a small shape on 32×32 (for a smoke test). Prints wall time, peak memory and modeled cycles.
import { readFileSync } from 'node:fs';
import { parseMachineSpec } from '@wafer/arch';
import { MeshLlama, ReferenceLlama, synthesize } from '@wafer/llama';
import { estimateDecodeLayer } from '../lib/estimate-layer.mjs';

const quick = process.argv.includes('--quick');
const threads = Number(process.argv.find((a) => a.startsWith('--threads='))?.split('=')[1] ?? 2);
const machine = parseMachineSpec(JSON.parse(readFileSync(new URL('../../configs/machines/wse2.json', import.meta.url), 'utf8')), 'wse2.json');
const P = quick ? 32 : 420;
const CONTEXT = quick ? 256 : 4096;
const PAPER_CYCLES = 12732;

const padTo = (n, m) => Math.ceil(n / m) * m;
const llama3 = { dim: 4096, hiddenDim: 14336, nLayers: 1, nHeads: 32, nKvHeads: 8, headDim: 128, vocabSize: 512, seqLen: CONTEXT, normEps: 1e-5, ropeTheta: 500000, sharedClassifier: true };
const small = { dim: 512, hiddenDim: 1536, nLayers: 1, nHeads: 8, nKvHeads: 2, headDim: 64, vocabSize: 512, seqLen: CONTEXT, normEps: 1e-5, ropeTheta: 500000, sharedClassifier: true };
const real = quick ? small : llama3;
// The paper's benchmark convention: a single head of width dim (MHA-sized K and V), dimensions padded to multiples of P.
const dimPad = padTo(real.dim, P);
const paper = { ...real, dim: dimPad, hiddenDim: padTo(real.hiddenDim, P), nHeads: 1, nKvHeads: 1, headDim: dimPad };

function seeded(seed, n, scale) {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out[i] = (s / 2 ** 32 - 0.5) * 2 * scale;
  }
  return out;
}

async function check(name, config) {
  const t0 = performance.now();
  const model = synthesize(config, 8);
  const kvDim = config.nKvHeads * config.headDim;
  const n = CONTEXT - 1; // cached positions; the new token is at position n
  const keys = seeded(11, n * kvDim, 1);
  const values = seeded(12, n * kvDim, 1);
  const mesh = await MeshLlama.create(model, { mesh: { rows: P, cols: P }, threads, machine });
  const tPlaced = performance.now();
  // The whole step (embedding, the layer, classifier) against the reference engine with the same cache.
  const token = 5;
  await mesh.loadKvCache(0, keys, values, n);
  const logits = await mesh.forward(token, n);
  // The layer alone, for its modeled cycles (no embedding, no classifier), on a freshly loaded cache
  // (the step above already shifted the cache to hold the new position).
  await mesh.loadKvCache(0, keys, values, n);
  const emb = model.tensors.get('token_embd').data.subarray(token * config.dim, (token + 1) * config.dim);
  const layer = await mesh.runLayer(0, emb, n);
  const ref = new ReferenceLlama(model);
  for (let t = 0; t < n; t++) ref.setCacheEntry(0, t, keys.subarray(t * kvDim, (t + 1) * kvDim), values.subarray(t * kvDim, (t + 1) * kvDim));
  const expected = ref.forward(token, n);
  let maxErr = 0;
  let maxAbs = 0;
  for (let i = 0; i < logits.length; i++) {
    maxErr = Math.max(maxErr, Math.abs(logits[i] - expected[i]));
    maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
  }
  await mesh.close();
  const estimate = estimateDecodeLayer(machine, config, { rows: P, cols: P }, CONTEXT);
  return {
    name,
    shape: `dim ${config.dim}, hidden ${config.hiddenDim}, ${config.nHeads} heads / ${config.nKvHeads} kv × ${config.headDim}`,
    cores: P * P,
    placeS: (tPlaced - t0) / 1000,
    wallS: (performance.now() - t0) / 1000,
    layerWallMs: layer.report.wallMs,
    messages: layer.report.messages,
    emulated: layer.report.modeledCycles,
    estimated: estimate,
    maxErr,
    maxAbs,
    rssGiB: process.memoryUsage().rss / 2 ** 30,
  };
}

const rows = [await check('real heads (GQA)', real), await check('paper convention', paper)];
console.log(`Decode layer on ${P}x${P} (${P * P} cores), ${CONTEXT - 1} cached positions, machine ${machine.name}, ${threads} threads\n`);
console.log('| layout | shape | wall s (all) | layer run ms | messages | emulated cycles | model cycles | emu/model | paper | max logit err |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  const paperCell = r.name === 'paper convention' && !quick ? `${PAPER_CYCLES} (${(((r.emulated - PAPER_CYCLES) / PAPER_CYCLES) * 100).toFixed(1)}%)` : '–';
  console.log(`| ${r.name} | ${r.shape} | ${r.wallS.toFixed(1)} | ${r.layerWallMs.toFixed(0)} | ${r.messages.toLocaleString('en-US')} | ${r.emulated.toLocaleString('en-US')} | ${r.estimated === null ? '–' : Math.round(r.estimated).toLocaleString('en-US')} | ${r.estimated === null ? '–' : (r.emulated / r.estimated).toFixed(3)} | ${paperCell} | ${r.maxErr.toExponential(1)} (of ${r.maxAbs.toFixed(2)}) |`);
}
console.log(`\npeak RSS ${Math.max(...rows.map((r) => r.rssGiB)).toFixed(2)} GiB (coordinator process; workers share it)`);
const bad = rows.find((r) => !(r.maxErr <= 1e-3 * Math.max(1, r.maxAbs)));
if (bad) {
  console.error(`wafer-scale: ${bad.name}: mesh logits differ from the reference by ${bad.maxErr}`);
  process.exit(1);
}
