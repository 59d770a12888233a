// Per-phase profiles of stories260K on 8x8: every modeled cycle of every run is attributed to exactly one phase
// and kind, so the critical core's phases add up to the run's modeled cycles and each core's to its clock; the
// profile is the same for 1 and 3 threads; `wafer run --profile` prints and returns it.
import { describe, expect, it } from 'vitest';
import { CYCLE_KIND_COUNT, PHASE, PHASE_COUNT } from '@wafer/arch';
import { generateAll, loadModel, MeshLlama, Sampler } from '@wafer/llama';
import { MODELS } from './helpers/golden.js';
import { preset } from './helpers/machines.js';
import { wafer } from './helpers/cli.js';

const K = CYCLE_KIND_COUNT;
// 13 tokens with BOS: long enough for the MeshGEMM prefill (and its phase change) on 8x8.
const PROMPT = [1, 403, 407, 261, 378, 11, 432, 276, 260, 459, 445, 291, 272];

async function profiledRuns(threads: number) {
  const mesh = await MeshLlama.create(loadModel(MODELS.bin), { mesh: { rows: 8, cols: 8 }, threads, machine: preset('wse2'), observe: { phases: true } });
  try {
    await generateAll(mesh, PROMPT, { maxNewTokens: 3, sampler: new Sampler({ temperature: 0, topP: 1, topK: 0, seed: 1 }), eosId: 2, bosId: 1, stopOnBos: true });
    expect(mesh.lastPrefill).toBe('meshgemm');
    return mesh.steps.map((s) => ({ phase: s.phase, report: s.report }));
  } finally {
    await mesh.close();
  }
}

describe('phase profiles', () => {
  it('attribute every cycle: the critical core adds up to the run, every core to its clock, for any thread count', async () => {
    const one = await profiledRuns(1);
    const three = await profiledRuns(3);
    expect(one.map((r) => r.phase)).toEqual(['prefill', 'prefill', 'decode', 'decode']);
    for (const { report } of one) {
      const ph = report.phases!;
      const c = report.counters!;
      expect(ph.cycles.reduce((a, v) => a + v, 0)).toBe(report.modeledCycles);
      expect(ph.clock).toBe(report.modeledCycles);
      expect(c.clock[ph.core]).toBe(report.modeledCycles);
      const w = c.phaseStride! * K;
      expect(c.phaseStride).toBeLessThanOrEqual(PHASE_COUNT);
      for (let core = 0; core < 64; core++) {
        const mine = c.phaseCycles!.subarray(core * w, (core + 1) * w).reduce((a, v) => a + v, 0);
        expect(mine, `core ${core}`).toBe(c.clock[core]);
      }
    }
    // The MeshGEMM batch marks its phase change; the decode steps their 13 steps, embedding and classifier.
    const cyclesOf = (r: (typeof one)[number], phase: number) => {
      const c = r.report.counters!;
      let s = 0;
      for (let core = 0; core < 64; core++) for (let k = 0; k < K; k++) s += c.phaseCycles![(core * c.phaseStride! + phase) * K + k];
      return s;
    };
    expect(cyclesOf(one[0], PHASE.phaseChange)).toBeGreaterThan(0);
    for (const p of [PHASE.embedding, PHASE.qkv, PHASE.kvShift, PHASE.softmax, PHASE.down, PHASE.classifier]) expect(cyclesOf(one[3], p), `phase ${p}`).toBeGreaterThan(0);
    expect(cyclesOf(one[3], PHASE.unmarked)).toBe(0);
    // Identical for 1 and 3 threads: the critical core, its cycles, every core's.
    expect(three.map((r) => r.report.phases)).toEqual(one.map((r) => r.report.phases));
    expect(three.map((r) => r.report.counters!.phaseCycles)).toEqual(one.map((r) => r.report.counters!.phaseCycles));
  });

  it('wafer run --profile: the phase table adds up to the modeled cycles exactly, as text and JSON', async () => {
    const args = ['run', '-p', 'Once upon a time', '-n', '4', '--temp', '0', '--profile'];
    const json = await wafer(...args, '--json');
    expect(json.code).toBe(0);
    const out = JSON.parse(json.stdout);
    const { prefill, decode } = out.profile;
    expect(prefill.modeled_cycles).toBe(out.modeled.prefill_cycles);
    expect(decode.runs).toBe(3);
    expect(decode.modeled_cycles / decode.runs).toBe(out.modeled.decode_cycles_per_token);
    for (const p of [prefill, decode]) {
      const sum = (f: (r: Record<string, number>) => number) => p.phases.reduce((a: number, r: Record<string, number>) => a + f(r), 0);
      expect(sum((r) => r.cycles)).toBe(p.modeled_cycles);
      expect(sum((r) => r.compute + r.elementwise + r.overhead + r.relay + r.wait)).toBe(p.modeled_cycles);
      expect(Object.values(p.categories as Record<string, number>).reduce((a, v) => a + v, 0)).toBe(p.modeled_cycles);
      for (const r of p.phases) expect(r.busy.max).toBeGreaterThanOrEqual(r.busy.p95);
    }
    expect(decode.phases.map((r: { phase: string }) => r.phase)).toEqual(expect.arrayContaining(['embedding', 'rmsnorm', 'qkv', 'rope', 'score', 'softmax', 'attn-v', 'o-proj', 'residual', 'ffn-up-gate', 'swiglu', 'down', 'final-norm', 'classifier']));
    const text = await wafer(...args);
    expect(text.code).toBe(0);
    const table = text.stderr.split('\n').filter((l) => l.startsWith('[wafer] | '));
    const total = table.find((l) => l.startsWith('[wafer] | total'));
    expect(total).toBeDefined();
    expect(text.stderr).toContain(`[wafer] decode profile: 3 run(s), ${decode.modeled_cycles.toLocaleString('en-US')} modeled cycles`);
    expect(text.stderr).toContain(`| total | ${decode.modeled_cycles.toLocaleString('en-US')} | 100.0% |`);
  });
});
