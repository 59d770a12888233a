// The stories260K golden cases on tile hosts: the same tokens as llama2.c, and logits, modeled figures and
// counters bit-identical to one process: all 8 cases on 2 hosts (1×2, one core each: every X collective
// crosses), and two on 3 hosts (3×3 in bands of rows).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAll, loadModel, loadTokenizer, MeshLlama, Sampler, type ForwardEngine } from '@wafer/llama';
import type { HostsOptions } from '@wafer/fabric';
import { preset } from './helpers/machines.js';
import { GOLDEN, MODELS, newTokens } from './helpers/golden.js';
import { startHosts, type HostProcs } from './helpers/tile-hosts.js';

let hosts: HostProcs;
beforeAll(async () => {
  hosts = await startHosts([1, 1, 1]);
});
afterAll(async () => {
  await hosts?.stop();
});

/** Runs golden cases and records every logit, every step's modeled figures and the last counters. */
async function trace(rows: number, cols: number, cases: typeof GOLDEN, opts: { threads: number; hosts?: HostsOptions }) {
  const model = loadModel(MODELS.bin);
  const tokenizer = loadTokenizer(model);
  const mesh = await MeshLlama.create(model, { mesh: { rows, cols }, machine: preset('dev'), ...opts });
  const logits: Float32Array[] = [];
  const engine: ForwardEngine = {
    config: mesh.config,
    forward: async (t, p) => {
      const l = await mesh.forward(t, p);
      logits.push(l.slice());
      return l;
    },
  };
  try {
    const ids: number[][] = [];
    for (const c of cases) {
      const prompt = tokenizer.encode(c.prompt, { bos: true });
      const r = await generateAll(engine, prompt, { maxNewTokens: newTokens(c), sampler: Sampler.greedy(), eosId: model.eosId, bosId: model.bosId, stopOnBos: true });
      ids.push(r.generatedTokens);
    }
    const modeled = mesh.steps.map((s) => [s.report.modeledCycles, s.report.messages, s.report.words, s.report.maxRoutesPerRouter, s.report.sramPeakBytesPerCore, ...s.report.colorMessages]);
    const counters = await mesh.fabric.counters();
    const crossHost = mesh.steps.reduce((a, s) => a + (s.report.crossHost?.messages ?? 0), 0);
    return { ids, logits, modeled, counters, crossHost };
  } finally {
    await mesh.close();
  }
}

describe('golden cases on tile hosts', () => {
  const configs = [[1, 2, 2, 'columns', GOLDEN], [3, 3, 3, 'rows', GOLDEN.filter((c) => c.n === 64 && c.prompt !== '' && c.prompt !== 'The cat sat')]] as const;
  for (const [rows, cols, n, split, cases] of configs) {
    it(`${rows}x${cols} on ${n} hosts (bands of ${split}): ${cases.length} greedy cases`, async () => {
      const base = await trace(rows, cols, cases, { threads: n });
      const hosted = await trace(rows, cols, cases, { threads: n, hosts: { addresses: hosts.addresses.slice(0, n), split } });
      expect(hosted.ids).toEqual(cases.map((c) => c.generated_tokens));
      expect(hosted.ids).toEqual(base.ids);
      expect(hosted.logits).toEqual(base.logits);
      expect(hosted.modeled).toEqual(base.modeled);
      expect(hosted.counters).toEqual(base.counters);
      expect(hosted.crossHost).toBeGreaterThan(0);
    }, 300_000);
  }
});
