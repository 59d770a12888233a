// Meshes across tile hosts (`wafer host`) on this machine: one cross-host link's message rate and bytes/s,
// then stories15M decode on 28×28 in one process and on 2 and 3 host processes (wall time, messages and bytes
// across hosts per token). `--wafer-scale`: instead, one Llama3-8B decode layer on 420×420 (minutes each).
// Hosts are spawned on loopback ports with one thread each; results are checked identical to one process.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseMachineSpec } from '@wafer/arch';
import { Fabric, testingProgram } from '@wafer/fabric';
import { MeshLlama, synthesize, SYNTH_SHAPES } from '@wafer/llama';

const MAIN = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));
const machine = (name) => parseMachineSpec(JSON.parse(readFileSync(new URL(`../../configs/machines/${name}.json`, import.meta.url), 'utf8')), `${name}.json`);
const waferScale = process.argv.includes('--wafer-scale');

/** Starts `n` hosts with one thread each; returns their addresses, pids and a stop function. */
async function startHosts(n) {
  const procs = [];
  const addresses = await Promise.all(Array.from({ length: n }, () => new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [MAIN, 'host', '--listen', 'tcp://127.0.0.1:0', '--threads', '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
    procs.push(p);
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
      const m = /listening (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    p.on('exit', (code) => reject(new Error(`host exited with ${code}`)));
  })));
  const peakGiB = () => procs.map((p) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${p.pid}/status`, 'utf8'))[1]) / 2 ** 20);
  const stop = () => Promise.all(procs.map((p) => new Promise((r) => { p.once('exit', r); p.kill('SIGTERM'); })));
  return { addresses, peakGiB, stop };
}

const configs = [
  { name: '1 process, 2 threads', hosts: 0, threads: 2 },
  { name: '2 hosts × 1 thread', hosts: 2 },
  { name: '3 hosts × 1 thread', hosts: 3 },
];

/**
 * Runs `fn(hostsOption, threads)` for each configuration, with its hosts started and stopped around it, and
 * prints its row of the table as soon as it is done; then whether every configuration agreed.
 */
async function eachConfig(title, unit, fn) {
  console.log(`\n### ${title}\n`);
  console.log(`| configuration | wall ${unit} | vs 1 process | messages per run | across hosts: messages | bytes | frames | peak memory per host |`);
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const rows = [];
  for (const c of configs) {
    const hosts = c.hosts > 0 ? await startHosts(c.hosts) : null;
    try {
      const r = { ...c, ...(await fn(hosts ? { addresses: hosts.addresses, split: 'columns' } : undefined, c.threads ?? 1)), hostPeakGiB: hosts ? Math.max(...hosts.peakGiB()) : null };
      rows.push(r);
      console.log(`| ${r.name} | ${f1(r.wallMs)} | ${(r.wallMs / rows[0].wallMs).toFixed(2)}× | ${f1(r.messages)} | ${f1(r.xMessages)} | ${f1(r.xBytes)} | ${f1(r.xFrames)} | ${r.hostPeakGiB === null ? '–' : `${r.hostPeakGiB.toFixed(2)} GiB`} |`);
    } finally {
      await hosts?.stop();
    }
  }
  const same = rows.every((r) => r.ids === rows[0].ids && r.cycles === rows[0].cycles);
  console.log(`\nresults and modeled cycles identical in every configuration: ${same ? 'yes' : 'NO'}`);
  if (!same) process.exitCode = 1;
  return rows;
}

const f1 = (x) => x.toLocaleString('en-US', { maximumFractionDigits: 1 });

// 1. One link: (0,0) streams messages to (1,0) on a 1×2 mesh, each core on its own host (or thread).
async function oneLink() {
  console.log('### One cross-host link (1×2 mesh, a stream of messages east)\n');
  console.log('| words per message | messages | 1 process: msg/s | 2 hosts: msg/s | 2 hosts: MB/s across | frames | messages per frame |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const hosts = await startHosts(2);
  const rate = async (opts, words, count) => {
    const f = await Fabric.start({ machine: machine('dev'), mesh: { rows: 1, cols: 2 }, threads: 2, ...opts });
    await f.run(testingProgram('burst'), { count: Math.min(count, 1000), words });
    await f.free('result');
    const r = await f.run(testingProgram('burst'), { count, words });
    await f.close();
    return r;
  };
  for (const [words, count] of [[1, 200_000], [16, 200_000], [256, 50_000], [4096, 4_000]]) {
    const local = await rate({}, words, count);
    const remote = await rate({ hosts: { addresses: hosts.addresses, split: 'columns' } }, words, count);
    const x = remote.crossHost;
    console.log(`| ${words} | ${f1(count)} | ${f1(count / (local.wallMs / 1000))} | ${f1(count / (remote.wallMs / 1000))} | ${f1(x.bytes / 1e6 / (remote.wallMs / 1000))} | ${f1(x.frames)} | ${f1(x.messages / x.frames)} |`);
  }
  await hosts.stop();
}

// 2. stories15M (seeded synth) on 28×28: decode steps.
async function stories15m() {
  const model = synthesize(SYNTH_SHAPES.stories15M, 15);
  const tokens = 8;
  await eachConfig(`stories15M (seeded synth) on 28×28 wse2: ${tokens} decode steps`, 'ms per token', async (hosts, threads) => {
    const mesh = await MeshLlama.create(model, { mesh: { rows: 28, cols: 28 }, threads, machine: machine('wse2'), hosts });
    let logits = await mesh.forward(1, 0);
    const t0 = performance.now();
    const first = mesh.steps.length;
    const out = [];
    for (let pos = 1; pos <= tokens; pos++) {
      let next = 0;
      for (let k = 1; k < logits.length; k++) if (logits[k] > logits[next]) next = k;
      out.push(next);
      logits = await mesh.forward(next, pos);
    }
    const wallMs = (performance.now() - t0) / tokens;
    const steps = mesh.steps.slice(first);
    await mesh.close();
    const per = (k) => steps.reduce((a, s) => a + (s.report.crossHost?.[k] ?? 0), 0) / tokens;
    return { wallMs, cycles: steps.map((s) => s.report.modeledCycles).join(','), ids: out.join(','), messages: steps[0].report.messages, xMessages: per('messages'), xBytes: per('bytes'), xFrames: per('frames') };
  });
}

// 3. One Llama3-8B decode layer (seeded random weights, real GQA heads, a 4K cache) on 420×420.
async function llamaLayer() {
  const P = 420;
  const CONTEXT = 4096;
  const config = { dim: 4096, hiddenDim: 14336, nLayers: 1, nHeads: 32, nKvHeads: 8, headDim: 128, vocabSize: 512, seqLen: CONTEXT, normEps: 1e-5, ropeTheta: 500000, sharedClassifier: true };
  const model = synthesize(config, 8);
  const kvDim = config.nKvHeads * config.headDim;
  const keys = new Float32Array((CONTEXT - 1) * kvDim).map((_, i) => Math.sin(i));
  const values = new Float32Array((CONTEXT - 1) * kvDim).map((_, i) => Math.cos(i));
  const emb = model.tensors.get('token_embd').data.subarray(5 * config.dim, 6 * config.dim);
  const rows = await eachConfig(`One Llama3-8B decode layer on ${P}×${P} wse2 (${P * P} cores, ${CONTEXT - 1} cached positions)`, 'ms per layer run', async (hosts, threads) => {
    const t0 = performance.now();
    const mesh = await MeshLlama.create(model, { mesh: { rows: P, cols: P }, threads, machine: machine('wse2'), hosts });
    const placeS = (performance.now() - t0) / 1000;
    await mesh.loadKvCache(0, keys, values, CONTEXT - 1);
    await mesh.runLayer(0, emb, CONTEXT - 1); // warm-up
    await mesh.loadKvCache(0, keys, values, CONTEXT - 1);
    const { report, out } = await mesh.runLayer(0, emb, CONTEXT - 1);
    await mesh.close();
    const x = report.crossHost ?? { messages: 0, bytes: 0, frames: 0 };
    return { wallMs: report.wallMs, placeS, cycles: String(report.modeledCycles), ids: String(Array.from(out.slice(0, 8))), messages: report.messages, xMessages: x.messages, xBytes: x.bytes, xFrames: x.frames };
  });
  console.log(`placement (s): ${rows.map((r) => `${r.name} ${r.placeS.toFixed(0)}`).join(', ')}; coordinator RSS at the end ${(process.memoryUsage().rss / 2 ** 30).toFixed(2)} GiB`);
}

if (waferScale) {
  await llamaLayer();
} else {
  await oneLink();
  await stories15m();
}
