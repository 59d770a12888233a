// Fabric throughput: a nearest-neighbour exchange (1-float messages to all 4 neighbours per round) on
// meshes from 8x8 to 512x512 at 1, 2 and 4 threads. Prints messages per second (wall) and wall time.
import { Fabric, testingProgram } from '@wafer/fabric';
import { parseMachineSpec } from '@wafer/arch';
import { readFileSync } from 'node:fs';

const machine = parseMachineSpec(JSON.parse(readFileSync(new URL('../../configs/machines/dev.json', import.meta.url), 'utf8')), 'dev.json');
const quick = process.argv.includes('--quick');
const sides = quick ? [8, 64] : [8, 64, 128, 256, 512];
const threadCounts = [1, 2, 4];
const targetMessages = quick ? 400_000 : 4_000_000;

console.log('| mesh | cores | threads | rounds | messages | wall s | msgs/s | vs 1 thread |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const side of sides) {
  let base = 0;
  for (const threads of threadCounts) {
    const mesh = { rows: side, cols: side };
    const perRound = 4 * side * (side - 1);
    const rounds = Math.max(2, Math.round(targetMessages / perRound));
    const fabric = await Fabric.start({ machine, mesh, threads });
    await fabric.run(testingProgram('neighbourExchange'), { rounds: 1, words: 1 }); // warm-up: JIT, program import
    const reps = [];
    for (let rep = 0; rep < 3; rep++) {
      const r = await fabric.run(testingProgram('neighbourExchange'), { rounds, words: 1 });
      reps.push({ s: r.wallMs / 1000, messages: r.messages });
    }
    await fabric.close();
    reps.sort((a, b) => a.s - b.s);
    const med = reps[1];
    const rate = med.messages / med.s;
    if (threads === 1) base = rate;
    console.log(`| ${side}x${side} | ${side * side} | ${threads} | ${rounds} | ${med.messages} | ${med.s.toFixed(3)} | ${(rate / 1e6).toFixed(2)}M | ${(rate / base).toFixed(2)}x |`);
  }
}
