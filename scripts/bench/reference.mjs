// Reference-engine decode speed: greedy, 256 new tokens, on stories260K (bundled .bin) and a stories15M-shaped synth
// .bin (seed 15, temp dir); median and range of 5 runs after a warm-up, beside llama2.c run.c's -O3 1-thread figures
// from shared/models/README.md. Printed, never asserted. --quick: 3 runs of -n 64.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ReferenceLlama,
  Sampler,
  generateAll,
  loadModel,
  loadTokenizer,
  parameterCount,
  synthShape,
  synthesize,
  writeLlama2c,
} from '@wafer/llama';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const quick = process.argv.includes('--quick');
const RUNS = quick ? 3 : 5;
const NEW_TOKENS = quick ? 64 : 256; // wafer's -n: new tokens
// a prompt keeps random-weight models off BOS: their greedy argmax repeats the input token, and BOS would stop
const PROMPT = 'Once upon a time';

/** run.c's "achieved tok/s" medians at gcc -O3, 1 thread, -n 256 (shared/models/README.md). */
const LLAMA2C_TOK_S = { stories260K: 2900, stories15M: 49 };

/** Decode tok/s (wall) of one greedy generation: decode forward passes over their time, the prompt excluded. */
async function decodeRate(model, tokenizer) {
  const promptIds = tokenizer.encode(PROMPT, { bos: true });
  const engine = new ReferenceLlama(model);
  const options = { maxNewTokens: NEW_TOKENS, sampler: Sampler.greedy(), eosId: model.eosId, bosId: model.bosId, stopOnBos: model.stopOnBos };
  const r = await generateAll(engine, promptIds, options);
  return { tokS: r.timings.decodeForwardPasses / (r.timings.decodeMs / 1000), generated: r.generatedTokens.length, stop: r.stopDetail };
}

async function bench(name, modelPath, tokenizerPath) {
  const model = loadModel(modelPath);
  const tokenizer = loadTokenizer(model, tokenizerPath);
  await decodeRate(model, tokenizer); // warm-up: JIT
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await decodeRate(model, tokenizer));
  const rates = runs.map((r) => r.tokS).sort((a, b) => a - b);
  return { name, params: parameterCount(model.config), generated: runs[0].generated, stop: runs[0].stop, median: rates[Math.floor(rates.length / 2)], min: rates[0], max: rates[rates.length - 1] };
}

const tmp = mkdtempSync(join(tmpdir(), 'wafer-bench-reference-'));
try {
  const synthPath = join(tmp, 'stories15M-seed15.bin');
  writeLlama2c(synthPath, synthesize(synthShape('stories15M'), 15));
  const rows = [
    await bench('stories260K', join(REPO, 'models/stories260K/stories260K.bin')),
    await bench('stories15M', synthPath, join(REPO, 'models/llama2/tokenizer.bin')),
  ];
  const fmt = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
  const caveat = quick ? ' (--quick: shorter contexts decode faster, so not comparable with run.c at -n 256)' : '';
  console.log(`reference engine, greedy, prompt ${JSON.stringify(PROMPT)}, -n ${NEW_TOKENS}, ${RUNS} runs after 1 warm-up, node ${process.version}${caveat}\n`);
  console.log('| model | params | tokens | stop | decode tok/s median | min | max | run.c -O3 1 thread | wafer / run.c |');
  console.log('| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    const label = r.name === 'stories15M' ? 'stories15M-shaped (synth, seed 15)' : `${r.name} (bundled .bin)`;
    const ref = LLAMA2C_TOK_S[r.name];
    console.log(`| ${label} | ${(r.params / 1e6).toFixed(2)}M | ${r.generated} | ${r.stop} | ${fmt(r.median)} | ${fmt(r.min)} | ${fmt(r.max)} | ≈${ref.toLocaleString('en-US')} | ${(r.median / ref).toFixed(2)}x |`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
