// Modeled time to first token of a 40-token prompt on 8×8 wse2: the MeshGEMM prefill (batch, phase change,
// last token's decode step) takes fewer cycles than running the prompt token by token, within the SRAM the
// engine planned for it and the machine's route budget.
import { describe, expect, it } from 'vitest';
import { loadModel, loadTokenizer, MeshLlama, prefillBytesPerCore, prefillLayout } from '@wafer/llama';
import { preset } from './helpers/machines.js';
import { MODELS } from './helpers/golden.js';
import { LONG_PROMPT } from './helpers/prefill.js';

async function ttft(prefill: 'meshgemm' | 'decode', ids: number[]) {
  const model = loadModel(MODELS.bin);
  const machine = preset('wse2');
  const mesh = await MeshLlama.create(model, { mesh: { rows: 8, cols: 8 }, threads: 2, machine, prefill });
  try {
    const logits = await mesh.prefill(ids);
    const runs = mesh.steps.filter((s) => s.phase === 'prefill');
    const planned = prefillBytesPerCore(mesh.layout, prefillLayout(mesh.layout), machine, ids.length - 1);
    return { logits, runs, cycles: runs.reduce((a, s) => a + s.report.modeledCycles, 0), planned, budget: machine.routing.routesPerRouter };
  } finally {
    await mesh.close();
  }
}

describe('modeled time to first token', () => {
  it('40 tokens on 8x8 wse2: MeshGEMM prefill beats token-by-token prompt processing', async () => {
    const ids = loadTokenizer(loadModel(MODELS.bin)).encode(LONG_PROMPT, { bos: true }).slice(0, 40);
    expect(ids).toHaveLength(40);
    const batched = await ttft('meshgemm', ids);
    const stepped = await ttft('decode', ids);
    console.log(`40-token prompt on 8x8 wse2, modeled TTFT: MeshGEMM prefill ${batched.cycles} cycles (batch ${batched.runs[0].report.modeledCycles} + last token ${batched.runs[1].report.modeledCycles}), token by token ${stepped.cycles} cycles`);
    expect(batched.runs).toHaveLength(2);
    expect(stepped.runs).toHaveLength(40);
    expect(batched.cycles).toBeLessThan(stepped.cycles);
    let diff = 0;
    for (let i = 0; i < batched.logits.length; i++) diff = Math.max(diff, Math.abs(batched.logits[i] - stepped.logits[i]));
    expect(diff).toBeLessThan(1e-4);
    const batch = batched.runs[0].report;
    expect(batch.sramPeakBytesPerCore).toBeLessThanOrEqual(batched.planned);
    expect(batched.planned).toBeLessThanOrEqual(49152);
    expect(batch.maxRoutesPerRouter).toBeLessThanOrEqual(batched.budget);
  }, 120_000);
});
