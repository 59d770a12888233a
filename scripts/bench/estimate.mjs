// Numbers for the README from the analytical model (@wafer/perf, built dist): the WaferLLM decode table
// (wafer-notes §5) model vs paper, prefill of a 4,096-token prompt, and the longest decode output with a
// concatenated vs a shift-based KV cache. Machine: configs/machines/wse2.json. Run: node scripts/bench/estimate.mjs
import { parseMachineSpec } from '@wafer/arch';
import { decodeStep, maxDecodeOutput, modelShape, placeLayers, prefill } from '@wafer/perf';
import { readFileSync } from 'node:fs';

const file = new URL('../../configs/machines/wse2.json', import.meta.url);
const spec = parseMachineSpec(JSON.parse(readFileSync(file, 'utf8')), 'configs/machines/wse2.json');
const fmt = (v, digits = 0) => v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (model, paper) => `${model >= paper ? '+' : ''}${((model / paper - 1) * 100).toFixed(1)}%`;

// §5: decode tokens/s per request at 4K context, WSE-2, paper convention (one layer × layer count).
const paperDecode = {
  'llama3-8b': [2699.9, 2501.5, 2243.3],
  'llama2-13b': [2039.2, 1899.4, 1739.8],
  'codellama-34b': [1450.8, 1407.7, 1359.2],
  'qwen2-72b': [839.7, 824.3, 787.1],
};
const decodeGrids = [420, 540, 660];
console.log(`## Decode, batch 1, 4K context (${spec.name}, paper convention)\n`);
console.log(`| model | ${decodeGrids.map((p) => `${p}² tok/s (paper, error) | ${p}² cycles/layer`).join(' | ')} |`);
console.log(`| --- | ${decodeGrids.map(() => '---: | ---:').join(' | ')} |`);
for (const [name, paper] of Object.entries(paperDecode)) {
  const shape = modelShape(name);
  const cells = decodeGrids.map((p, i) => {
    const r = decodeStep(spec, shape, { mesh: p, context: 4096, convention: 'paper' });
    return `${fmt(r.tokensPerSecond, 1)} (${fmt(paper[i], 1)}, ${pct(r.tokensPerSecond, paper[i])}) | ${fmt(r.layer.totalCycles)}`;
  });
  console.log(`| ${name} (${shape.nLayers}) | ${cells.join(' | ')} |`);
}

console.log(`\n## Prefill of a 4,096-token prompt (${spec.name}, paper convention timing)\n`);
console.log('| model | mesh | TTFT ms | prefill tok/s | cycles/layer | energy J | placement (real heads, 4K KV) |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | --- |');
for (const name of ['llama3-8b', 'llama2-13b']) {
  const shape = modelShape(name);
  for (const p of [480, 600, 720]) {
    const r = prefill(spec, shape, { mesh: p, promptTokens: 4096, convention: 'paper' });
    const pl = placeLayers(spec, shape, { mesh: p, context: 4096, convention: 'real' });
    const where = pl.fits ? `${pl.regionsNeeded} of ${pl.regionsAvailable} regions` : `does not fit (${pl.regionsNeeded} regions needed, ${pl.regionsAvailable} available)`;
    console.log(`| ${name} | ${p}x${p} | ${fmt(r.ttftSeconds * 1000, 1)} | ${fmt(r.tokensPerSecond)} | ${fmt(r.layerCycles)} | ${fmt(r.joules, 1)} | ${where} |`);
  }
}

const prompt = 1024;
console.log(`\n## Longest decode output after a ${fmt(prompt)}-token prompt (${spec.name}, real heads, layers spread over the whole wafer)\n`);
console.log('| model | mesh | regions | layers/region | KV positions per core | concat: tokens | shift: tokens | shift / concat |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const name of ['llama3-8b', 'llama2-13b']) {
  const shape = modelShape(name);
  for (const p of [240, 360, 480, 720]) {
    const concat = maxDecodeOutput(spec, shape, { mesh: p, promptTokens: prompt, cache: 'concat' });
    const shift = maxDecodeOutput(spec, shape, { mesh: p, promptTokens: prompt, cache: 'shift' });
    const ratio = concat.maxOutputTokens > 0 ? `${fmt(shift.maxOutputTokens / concat.maxOutputTokens)}×` : shift.maxOutputTokens > 0 ? '∞' : '–';
    const note = shift.fits ? '' : ' (weights do not fit)';
    console.log(`| ${name} | ${p}x${p} | ${shift.regions} | ${shift.layersPerRegion} | ${fmt(shift.positionsPerCore)}${note} | ${fmt(concat.maxOutputTokens)} | ${fmt(shift.maxOutputTokens)} | ${ratio} |`);
  }
}
