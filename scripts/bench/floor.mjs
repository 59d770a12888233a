// The floor of the execution model: what one message costs when every virtual core is a JavaScript generator,
// measured with a minimal runtime (run queue, typed-array mailbox, pooled payload copies; no modeled time, no
// counters, no rings) beside wafer's own runtime on the same nearest-neighbour exchange, in this process.
// From the floor it derives what this design could do at best on this machine: messages per second with 2
// threads at perfect scaling, and decode tok/s for the messages a real decode step sends (the floor measured on
// that step's own mesh, in runs of as many messages as the step sends).
// Printed, never asserted. `--quick`: smaller workloads.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parseMachineSpec } from '@wafer/arch';
import { Fabric, testingProgram } from '@wafer/fabric';
import { MeshLlama, loadModel, synthShape, synthesize } from '@wafer/llama';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const quick = process.argv.includes('--quick');
const REPS = quick ? 3 : 5;
const machine = (name) => parseMachineSpec(JSON.parse(readFileSync(join(REPO, `configs/machines/${name}.json`), 'utf8')), `${name}.json`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The minimal runtime: the same program as the fabric's `neighbourExchange` (every round, send one float to
 * each neighbour, then receive from each and accumulate), one generator per core, a run queue, and messages
 * that reach a core before its receive kept in a typed-array mailbox. Payloads are copied into pooled vectors,
 * as any runtime must (the sender may change its vector after sending).
 */
function floorRuntime(side) {
  const n = side * side;
  const cap = 4 * n + 16;
  const mbColor = new Int32Array(cap);
  const mbNext = new Int32Array(cap);
  const mbPayload = new Array(cap);
  const head = new Int32Array(n).fill(-1);
  const tail = new Int32Array(n).fill(-1);
  let free = -1;
  for (let s = cap - 1; s >= 0; s--) (mbNext[s] = free), (free = s);
  const waiting = new Int32Array(n).fill(-1);
  const inbox = new Array(n);
  const queue = new Int32Array(n);
  let qHead = 0;
  let qLen = 0;
  // Payload vectors: views into one growing buffer, kept from run to run (a run hands out each one once).
  const pool = [];
  let used = 0;
  let messages = 0;
  const enqueue = (i) => {
    let s = qHead + qLen;
    if (s >= n) s -= n;
    queue[s] = i;
    qLen++;
  };
  const send = (j, color, data) => {
    messages++;
    if (used === pool.length) growPool();
    const p = pool[used++];
    p[0] = data[0];
    if (waiting[j] === color) {
      waiting[j] = -1;
      inbox[j] = p;
      enqueue(j);
      return;
    }
    const s = free;
    free = mbNext[s];
    mbColor[s] = color;
    mbPayload[s] = p;
    mbNext[s] = -1;
    if (tail[j] < 0) head[j] = s;
    else mbNext[tail[j]] = s;
    tail[j] = s;
  };
  const take = (i, color) => {
    for (let prev = -1, s = head[i]; s >= 0; prev = s, s = mbNext[s]) {
      if (mbColor[s] !== color) continue;
      const after = mbNext[s];
      if (prev < 0) head[i] = after;
      else mbNext[prev] = after;
      if (tail[i] === s) tail[i] = prev;
      const p = mbPayload[s];
      mbPayload[s] = undefined;
      mbNext[s] = free;
      free = s;
      return p;
    }
    return undefined;
  };
  const growPool = () => {
    const block = new Float32Array(65536);
    for (let k = 0; k < block.length; k++) pool.push(block.subarray(k, k + 1));
  };
  const DX = [0, 1, 0, -1];
  const DY = [-1, 0, 1, 0];
  function* core(i, rounds) {
    const x = i % side;
    const y = (i - x) / side;
    const acc = new Float32Array(1).fill(1);
    const has = [y > 0, x + 1 < side, y + 1 < side, x > 0];
    const parity = (d) => (d === 0 || d === 2 ? y : x) % 2;
    for (let r = 0; r < rounds; r++) {
      for (let d = 0; d < 4; d++) if (has[d]) send((y + DY[d]) * side + x + DX[d], d * 2 + parity(d), acc);
      for (let d = 0; d < 4; d++) {
        if (!has[d]) continue;
        const m = yield ((d + 2) % 4) * 2 + ((parity(d) + 1) % 2);
        acc[0] += m[0] * 0.5;
      }
    }
  }
  return (rounds) => {
  const t0 = performance.now();
  let finished = 0;
  used = 0;
  messages = 0;
  const gens = new Array(n);
  for (let i = 0; i < n; i++) (gens[i] = core(i, rounds)), enqueue(i);
  while (qLen > 0) {
    const i = queue[qHead];
    if (++qHead === n) qHead = 0;
    qLen--;
    const g = gens[i];
    let v = inbox[i];
    inbox[i] = undefined;
    for (;;) {
      const r = g.next(v);
      if (r.done) {
        finished++;
        break;
      }
      v = take(i, r.value);
      if (v === undefined) {
        waiting[i] = r.value;
        break;
      }
    }
  }
  const ms = performance.now() - t0;
  const expected = 4 * side * (side - 1) * rounds;
  if (finished !== n || messages !== expected) throw new Error(`floor runtime: ${finished} of ${n} cores finished, ${messages} messages of ${expected}`);
  return { ms, messages };
  };
}

const rows = [];
for (const side of quick ? [64] : [64, 512]) {
  const rounds = Math.max(2, Math.round((quick ? 5e5 : 2e6) / (4 * side * (side - 1))));
  const fabric = await Fabric.start({ machine: machine('dev'), mesh: { rows: side, cols: side }, threads: 1 });
  try {
    const floorExchange = floorRuntime(side);
    floorExchange(rounds); // warm-up: JIT, and the payload pool at its full size
    await fabric.run(testingProgram('neighbourExchange'), { rounds: 1, words: 1 });
    const floorNs = [];
    const waferNs = [];
    // Alternate the two, so that both see the same machine.
    for (let k = 0; k < REPS; k++) {
      const f = floorExchange(rounds);
      floorNs.push((f.ms * 1e6) / f.messages);
      const w = await fabric.run(testingProgram('neighbourExchange'), { rounds, words: 1 });
      waferNs.push((w.wallMs * 1e6) / w.messages);
    }
    rows.push({ side, floor: median(floorNs), wafer: median(waferNs) });
  } finally {
    await fabric.close();
  }
}
console.log(`nearest-neighbour exchange, 1-float messages, 1 thread, median of ${REPS} alternating runs\n`);
console.log('| mesh | floor ns/message | wafer ns/message | wafer / floor | floor bound, 2 threads at 2.0x |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const r of rows) console.log(`| ${r.side}x${r.side} | ${r.floor.toFixed(0)} | ${r.wafer.toFixed(0)} | ${(r.wafer / r.floor).toFixed(2)}x | ${((2 * 1e3) / r.floor).toFixed(2)}M messages/s |`);

// Messages a real decode step sends, and the tok/s the floor allows for them (messages alone: no arithmetic),
// with the floor measured on the step's mesh in runs of about as many messages (the pools then stay that size).
const decodes = [
  { name: 'stories260K, 8x8 wse2', model: () => loadModel(join(REPO, 'models/stories260K/stories260K.bin')), side: 8 },
  ...(quick ? [] : [{ name: 'stories15M-shaped synth (seed 15), 28x28 wse2', model: () => synthesize(synthShape('stories15M'), 15), side: 28 }]),
];
console.log('\ndecode bound: messages per step at the floor of their own mesh, 2 threads at 2.0x, no arithmetic counted\n');
console.log('| workload | messages per decode step | floor on that mesh, ns/message | floor bound, tok/s |');
console.log('| --- | ---: | ---: | ---: |');
for (const d of decodes) {
  const mesh = await MeshLlama.create(d.model(), { mesh: { rows: d.side, cols: d.side }, threads: 1, machine: machine('wse2'), prefill: 'decode' });
  try {
    await mesh.forward(1, 0);
    const messages = mesh.steps[mesh.steps.length - 1].report.messages;
    const rounds = Math.max(1, Math.round(messages / (4 * d.side * (d.side - 1))));
    const exchange = floorRuntime(d.side);
    const runs = Math.max(1, Math.round((quick ? 2e5 : 1e6) / (4 * d.side * (d.side - 1) * rounds)));
    exchange(rounds);
    const ns = [];
    for (let k = 0; k < REPS; k++) {
      let ms = 0;
      let sent = 0;
      for (let j = 0; j < runs; j++) {
        const f = exchange(rounds);
        ms += f.ms;
        sent += f.messages;
      }
      ns.push((ms * 1e6) / sent);
    }
    const floorNs = median(ns);
    console.log(`| ${d.name} | ${messages} | ${floorNs.toFixed(0)} | ${fmtRate(1e9 / ((messages * floorNs) / 2))} |`);
  } finally {
    await mesh.close();
  }
}

function fmtRate(x) {
  return x >= 100 ? x.toFixed(0) : x.toFixed(1);
}
