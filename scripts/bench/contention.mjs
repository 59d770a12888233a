// How often two flows share a router-to-router link at the same modeled time (docs/fabric.md: the fabric does
// not serialise them). Runs a stories260K decode step and a MeshGEMM prefill on 8×8 wse2 through traced programs
// (scripts/lib/traced-programs.mjs), rebuilds each message's occupancy of every link it crosses (hop k busy from
// leave + α·k for ser(n) cycles), and counts the link-cycles during which two different flows (sender and
// colour) occupy one directed link. Run: node scripts/bench/contention.mjs
import { readFileSync } from 'node:fs';
import { parseMachineSpec, serialisationCycles } from '@wafer/arch';
import { loadModel, MeshLlama } from '@wafer/llama';
import { FIELDS } from '../lib/traced-programs.mjs';

const machine = parseMachineSpec(JSON.parse(readFileSync(new URL('../../configs/machines/wse2.json', import.meta.url), 'utf8')), 'wse2.json');
const model = loadModel(new URL('../../models/stories260K/stories260K.bin', import.meta.url).pathname);
const P = 8;
const program = (name) => ({ module: new URL('../lib/traced-programs.mjs', import.meta.url).href, export: name });
const DX = [0, 1, 0, -1];
const DY = [-1, 0, 1, 0];

/** Link-cycles with two or more flows at once, from every core's trace. */
function overlaps(traces, cols) {
  const links = new Map(); // directed link → [start, end, flow][]
  let busy = 0;
  traces.forEach((t, core) => {
    if (!t) return;
    const x = core % cols;
    const y = Math.floor(core / cols);
    for (let i = 0; i < t.length; i += FIELDS) {
      const [dir, hops, start, values, color] = Array.from(t.subarray(i, i + FIELDS));
      const ser = serialisationCycles(machine, values);
      for (let k = 0; k < hops; k++) {
        const key = ((y + DY[dir] * k) * cols + x + DX[dir] * k) * 4 + dir;
        const s = start + machine.alphaCyclesPerHop * k;
        if (!links.has(key)) links.set(key, []);
        links.get(key).push([s, s + ser, core * 32 + color]);
        busy += ser;
      }
    }
  });
  let shared = 0;
  let worst = 0;
  const byColor = new Map(); // colours sharing a link → link-cycles
  for (const list of links.values()) {
    // Sweep the interval ends; a cycle is shared when intervals of two different flows cover it.
    const events = list.flatMap(([s, e, f]) => [[s, 1, f], [e, -1, f]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const active = new Map();
    let last = 0;
    let here = 0;
    for (const [t, d, f] of events) {
      if (active.size >= 2 && t > last) {
        here += t - last;
        const key = [...new Set([...active.keys()].map((g) => g % 32))].sort((a, b) => a - b).join('+');
        byColor.set(key, (byColor.get(key) ?? 0) + t - last);
      }
      last = t;
      active.set(f, (active.get(f) ?? 0) + d);
      if (active.get(f) === 0) active.delete(f);
    }
    shared += here;
    worst = Math.max(worst, here);
  }
  return { shared, worst, busy, links: links.size, byColor: [...byColor].sort((a, b) => b[1] - a[1]).slice(0, 4) };
}

const mesh = await MeshLlama.create(model, { mesh: { rows: P, cols: P }, threads: 2, machine, prefill: 'meshgemm' });
const rows = [];
try {
  // A decode step at position 32 (32 positions already cached).
  const prompt = Array.from({ length: 33 }, (_, i) => (i === 0 ? 1 : 3 + ((i * 131) % 500)));
  await mesh.prefill(prompt.slice(0, 32));
  const decodeArgs = { layout: mesh.layout, token: prompt[32], pos: 32, strategy: 'ktree' };
  const dec = await mesh.fabric.run(program('tracedDecode'), decodeArgs);
  rows.push(['decode step (position 32)', dec.modeledCycles, overlaps(await mesh.fabric.gather('trace'), P)]);
  await mesh.fabric.free('trace');
  // A MeshGEMM prefill batch of 39 tokens (as MeshLlama.prefill runs it for a 40-token prompt).
  const { prefillLayout, tokenSplit } = await import('../../packages/llama/dist/mesh/prefill-layout.js');
  const pre = prefillLayout(mesh.layout);
  const ids = Array.from({ length: 39 }, (_, i) => (i * 37 + 1) % model.config.vocabSize);
  const tok = tokenSplit(ids.length, P);
  const emb = model.tensors.get('token_embd').data;
  await mesh.fabric.place('pf.x', (x, y) => {
    const dx = pre.dX.sizes[x];
    const block = new Float32Array(tok.sizes[y] * dx);
    for (let i = 0; i < tok.sizes[y]; i++) block.set(emb.subarray(ids[tok.offsets[y] + i] * model.config.dim + pre.dX.offsets[x], ids[tok.offsets[y] + i] * model.config.dim + pre.dX.offsets[x] + dx), i * dx);
    return block;
  });
  const pf = await mesh.fabric.run(program('tracedPrefill'), { layout: mesh.layout, pre, tokens: ids.length, strategy: 'ktree' });
  rows.push(['MeshGEMM prefill batch (39 tokens)', pf.modeledCycles, overlaps(await mesh.fabric.gather('trace'), P)]);
  console.log(`| run (stories260K, ${P}x${P} ${machine.name}) | modeled cycles | link-cycles busy | link-cycles shared by two flows | busiest link's shared cycles | shared / modeled time |`);
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const [name, cycles, o] of rows) {
    console.log(`| ${name} | ${cycles.toLocaleString('en-US')} | ${o.busy.toLocaleString('en-US')} | ${o.shared.toLocaleString('en-US')} | ${o.worst.toLocaleString('en-US')} | ${((o.worst / cycles) * 100).toFixed(2)}% (busiest link), ${((o.shared / cycles) * 100).toFixed(2)}% (all links) |`);
  }
} finally {
  await mesh.close();
}
for (const [name, , o] of rows) console.log(`${name}: shared link-cycles by colours: ${o.byColor.map(([c, n]) => `${c}: ${n}`).join(', ')}`);
