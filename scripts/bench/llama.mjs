// Mesh-engine throughput: `wafer bench` rows for stories260K (1×1, 4×4 and 8×8 on wse2; the smaller meshes
// with --sram unlimited, since stories260K needs 5×5 to fit 48 KB per core) and for a stories15M-shaped synth
// checkpoint (the smallest wse2 mesh that holds it, and 4×4 on dev), with 1 and 2 threads, beside the
// reference engine. llama2.c run.c (-O3, 1 thread) on this machine class: stories260K ≈2,900 tok/s,
// stories15M ≈49 tok/s. `--quick`: fewer tokens and one repetition.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@wafer/cli';
import { loadModel, smallestSquareMesh, ropeFrequencies } from '@wafer/llama';
import { parseMachineSpec } from '@wafer/arch';
import { readFileSync } from 'node:fs';

const quick = process.argv.includes('--quick');
const [p, n, r] = quick ? ['8', '16', '1'] : ['32', '128', '3'];
const wse2 = parseMachineSpec(JSON.parse(readFileSync(new URL('../../configs/machines/wse2.json', import.meta.url), 'utf8')), 'wse2.json');

let out = '';
async function bench(args) {
  out = '';
  const code = await main(['bench', '-p', p, '-n', n, '-r', r, '--json', ...args], { stdout: { write: (s) => (out += s) }, stderr: process.stderr });
  if (code !== 0) process.exit(code);
  return JSON.parse(out).rows;
}

const dir = mkdtempSync(join(tmpdir(), 'wafer-bench-'));
const s15 = join(dir, 'stories15M.bin');
await main(['synth', '--shape', 'stories15M', '--seed', '15', '-o', s15], { stdout: process.stdout, stderr: { write: () => true } });
const fit15 = smallestSquareMesh(loadModel(s15).config, wse2, ropeFrequencies(loadModel(s15).config));

const rows = [
  ...(await bench(['--engine', 'reference'])),
  ...(await bench(['--mesh', '1,4', '--threads', '1,2', '--machine', 'wse2', '--sram', 'unlimited'])),
  ...(await bench(['--mesh', '8', '--threads', '1,2', '--machine', 'wse2'])),
  ...(await bench(['-m', s15, '--engine', 'reference'])),
  ...(await bench(['-m', s15, '--mesh', String(fit15), '--threads', '1,2', '--machine', 'wse2'])),
  ...(await bench(['-m', s15, '--mesh', '4', '--threads', '1,2', '--machine', 'dev'])),
];
const f = (s) => (s === null ? '–' : `${s.mean >= 100 ? s.mean.toFixed(0) : s.mean.toFixed(1)} ± ${s.sd >= 100 ? s.sd.toFixed(0) : s.sd.toFixed(1)}`);
console.log('| model | engine | machine | mesh | threads | test | modeled tok/s | wall tok/s |');
console.log('| --- | --- | --- | --- | ---: | --- | ---: | ---: |');
for (const row of rows) {
  const model = row.model.includes('stories15M') ? 'stories15M (synth)' : 'stories260K';
  console.log(`| ${model} | ${row.engine} | ${row.machine ?? '–'} | ${row.mesh ?? '–'} | ${row.threads} | ${row.test} | ${f(row.modeled_tok_s)} | ${f(row.wall_tok_s)} |`);
}
console.log('\nllama2.c run.c -O3, 1 thread (shared/models/README.md): stories260K ≈2,900 tok/s, stories15M ≈49 tok/s.');
