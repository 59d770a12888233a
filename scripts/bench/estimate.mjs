// Numbers for the README from the analytical model (@wafer/perf, built dist): the WaferLLM decode table
// (wafer-notes §5) model vs paper, prefill of a 4,096-token prompt (WaferLLM Table 3), end to end with separate
// prefill and decode grids, and the longest decode output with a concatenated vs a shift-based KV cache.
// Machine: configs/machines/wse2.json. Run: node scripts/bench/estimate.mjs
import { parseMachineSpec } from '@wafer/arch';
import { decodeStep, maxDecodeOutput, modelShape, prefill } from '@wafer/perf';
import { main } from '@wafer/cli';
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

// WaferLLM Table 3 (prefill tokens/s, 4,096-token prompt, WSE-2): the Llama3-8B row is the calibration target
// (docs/calibration.md); the other models are the model's predictions, to be checked against the held-out rows.
const table3 = { 'llama3-8b': [20320.6, 25037.2, 27686.5] };
const prefillGrids = [480, 600, 720];
console.log(`\n## Prefill of a 4,096-token prompt (${spec.name}, paper convention timing), tokens/s\n`);
console.log(`| model | ${prefillGrids.map((p) => `${p}²`).join(' | ')} |`);
console.log(`| --- | ${prefillGrids.map(() => '---:').join(' | ')} |`);
for (const name of ['llama3-8b', 'llama2-13b', 'codellama-34b', 'qwen2-72b']) {
  const shape = modelShape(name);
  const cells = prefillGrids.map((p, i) => {
    const r = prefill(spec, shape, { mesh: p, promptTokens: 4096, convention: 'paper' });
    const paper = table3[name]?.[i];
    return paper === undefined ? fmt(r.tokensPerSecond) : `${fmt(r.tokensPerSecond)} (${fmt(paper, 1)}, ${pct(r.tokensPerSecond, paper)})`;
  });
  console.log(`| ${name} | ${cells.join(' | ')} |`);
}

// End to end per request as the paper defines it: generated tokens ÷ (prefill time + decode time), prefill on a
// larger grid than decode, the phase change (weights, keys and values moved between the grids) counted in prefill.
console.log(`\n## End to end, prefill and decode on different grids (${spec.name}, paper convention), tokens/s\n`);
console.log('| model | prefill / decode grid | prompt / output | prefill ms | phase change ms | decode tok/s | end-to-end tok/s |');
console.log('| --- | --- | --- | ---: | ---: | ---: | ---: |');
for (const [name, pg, dg] of [['llama3-8b', 660, 360], ['llama2-13b', 750, 375]]) {
  for (const [prompt, gen] of [[2048, 128], [4096, 128], [2048, 2048], [4096, 4096]]) {
    let out = '';
    const code = await main(['estimate', '-m', name, '--prefill-mesh', String(pg), '--decode-mesh', String(dg), '--prompt', String(prompt), '--gen', String(gen), '--json'], { stdout: { write: (t) => (out += t) }, stderr: { write: () => undefined } });
    if (code !== 0) throw new Error(`estimate ${name} failed`);
    const r = JSON.parse(out);
    console.log(`| ${name} | ${pg}² / ${dg}² | ${fmt(prompt)} / ${fmt(gen)} | ${fmt(r.prefill_s * 1000, 1)} | ${fmt(r.phase_change_s * 1000, 1)} | ${fmt(r.decode_tok_s, 1)} | ${fmt(r.e2e_tok_s, 1)} |`);
  }
}

const prompt = 1024;
console.log(`\n## Longest decode output after a ${fmt(prompt)}-token prompt (${spec.name}), concatenated → shift-based KV cache\n`);
console.log('| model | convention | 240² regions | 480² regions | whole core array (busiest core) | pooled SRAM (the paper\'s count) |');
console.log('| --- | --- | ---: | ---: | ---: | ---: |');
for (const name of ['llama3-8b', 'llama2-13b']) {
  const shape = modelShape(name);
  for (const convention of ['real', 'paper']) {
    const cell = (p, cores) => {
      const c = maxDecodeOutput(spec, shape, { mesh: p, promptTokens: prompt, cache: 'concat', convention, cores });
      const s = maxDecodeOutput(spec, shape, { mesh: p, promptTokens: prompt, cache: 'shift', convention, cores });
      return `${fmt(c.maxOutputTokens)} → ${fmt(s.maxOutputTokens)}`;
    };
    console.log(`| ${name} | ${convention} | ${cell(240, 'regions')} | ${cell(480, 'regions')} | ${cell(480, 'wafer')} | ${cell(480, 'pooled')} |`);
  }
}
