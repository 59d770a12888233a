// The floor of the execution model: what one message costs when every virtual core is a JavaScript generator,
// measured with a minimal runtime (scripts/lib/floor-runtime.mjs: run queue, typed-array mailbox, pooled payload
// copies; no modeled time, no counters, no rings) and with wafer's own runtime on the same nearest-neighbour
// exchange, one after the other in this process.
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
import { floorDecodeBound, floorNsPerMessage } from '../lib/floor-runtime.mjs';
import { median } from '../lib/median.mjs';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const quick = process.argv.includes('--quick');
const REPS = quick ? 3 : 5;
const machine = (name) => parseMachineSpec(JSON.parse(readFileSync(join(REPO, `configs/machines/${name}.json`), 'utf8')), `${name}.json`);

const rows = [];
for (const side of quick ? [64] : [64, 512]) {
  const rounds = Math.max(2, Math.round((quick ? 5e5 : 2e6) / (4 * side * (side - 1))));
  // The floor first and on its own: runs of wafer's fabric in between leave the caches cold for it.
  const floor = floorNsPerMessage(side, rounds, 0, REPS);
  const fabric = await Fabric.start({ machine: machine('dev'), mesh: { rows: side, cols: side }, threads: 1 });
  try {
    await fabric.run(testingProgram('neighbourExchange'), { rounds: 1, words: 1 });
    const waferNs = [];
    for (let k = 0; k < REPS; k++) {
      const w = await fabric.run(testingProgram('neighbourExchange'), { rounds, words: 1 });
      waferNs.push((w.wallMs * 1e6) / w.messages);
    }
    rows.push({ side, floor, wafer: median(waferNs) });
  } finally {
    await fabric.close();
  }
}
console.log(`nearest-neighbour exchange, 1-float messages, 1 thread, medians of ${REPS} runs (the floor's first)\n`);
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
    const bound = floorDecodeBound(d.side, messages, quick ? 2e5 : 1e6, REPS);
    console.log(`| ${d.name} | ${messages} | ${bound.ns.toFixed(0)} | ${fmtRate(bound.tokPerS)} |`);
  } finally {
    await mesh.close();
  }
}

function fmtRate(x) {
  return x >= 100 ? x.toFixed(0) : x.toFixed(1);
}
