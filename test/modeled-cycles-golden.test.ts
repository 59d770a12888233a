// Every modeled figure of a fixed set of runs, bit for bit, against test/golden/modeled-cycles.json, recorded
// before the runtime was made fast: speed work must not move a single modeled cycle, message or counter.
// Regenerate (only for an intended model change, and say so in the commit): WAFER_UPDATE_GOLDEN=1 pnpm test modeled-cycles
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateAll, loadModel, MeshLlama, Sampler, type PrefillChoice } from '@wafer/llama';
import type { AllreduceStrategy } from '@wafer/kernels';
import type { MeshCounters } from '@wafer/fabric';
import { preset } from './helpers/machines.js';
import { MODELS } from './helpers/golden.js';
import { wafer } from './helpers/cli.js';

const GOLDEN_FILE = new URL('./golden/modeled-cycles.json', import.meta.url);
const UPDATE = process.env.WAFER_UPDATE_GOLDEN === '1';
const golden: Record<string, unknown> = UPDATE ? {} : JSON.parse(readFileSync(GOLDEN_FILE, 'utf8'));
const recorded: Record<string, unknown> = {};

/** sha256 (16 hex digits) of every counter array's float64 bytes, and their totals, in a fixed order. */
function counterDigest(c: MeshCounters) {
  const keys = Object.keys(c).sort() as (keyof MeshCounters)[];
  const h = createHash('sha256');
  const totals: Record<string, number> = {};
  for (const k of keys) {
    const a = c[k];
    h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    totals[k] = a.reduce((s, v) => s + v, 0);
  }
  return { sha256: h.digest('hex').slice(0, 16), totals };
}

function check(name: string, value: unknown) {
  recorded[name] = value;
  if (!UPDATE) expect(value, name).toEqual(golden[name]);
}

afterAll(() => {
  // One line per case: small diffs when a figure moves.
  if (UPDATE) writeFileSync(GOLDEN_FILE, `{\n${Object.entries(recorded).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n')}\n}\n`);
});

/** Greedy generation of stories260K: per-run modeled figures and the last run's counters. */
async function llamaRun(rows: number, cols: number, strategy: AllreduceStrategy, prefill: PrefillChoice, prompt: number[], maxNewTokens: number) {
  const model = loadModel(MODELS.bin);
  const threads = rows * cols > 1 ? 2 : 1;
  const mesh = await MeshLlama.create(model, { mesh: { rows, cols }, threads, machine: preset('wse2'), strategy, prefill, sramUnlimited: rows < 5 });
  try {
    const r = await generateAll(mesh, prompt, { maxNewTokens, sampler: new Sampler({ temperature: 0, topP: 1, topK: 0, seed: 1 }), eosId: 2, bosId: 1, stopOnBos: true });
    const runs = mesh.steps.map((s) => ({ phase: s.phase, pos: s.pos, cycles: s.report.modeledCycles, messages: s.report.messages, words: s.report.words, maxHops: s.report.maxHopsPerTransfer, routes: s.report.maxRoutesPerRouter, sram: s.report.sramPeakBytesPerCore, colorMessages: s.report.colorMessages, colorWords: s.report.colorWords }));
    return { tokens: r.generatedTokens, runs, counters: counterDigest(await mesh.fabric.counters()) };
  } finally {
    await mesh.close();
  }
}

const PROMPT = [1, 403, 407, 261, 378]; // "Once upon a time" in tok512, BOS first

describe('modeled cycles are unchanged (golden table)', () => {
  it('stories260K decode on 1x1', async () => {
    check('decode 1x1 ktree', await llamaRun(1, 1, 'ktree', 'decode', PROMPT, 6));
  });
  for (const [r, c] of [[5, 5], [8, 8]] as const) {
    for (const strategy of ['ktree', 'pipeline', 'ring'] as const) {
      it(`stories260K decode on ${r}x${c} with the ${strategy} allreduce`, async () => {
        check(`decode ${r}x${c} ${strategy}`, await llamaRun(r, c, strategy, 'decode', PROMPT, 6));
      });
    }
  }
  it('stories260K MeshGEMM prefill on 8x8, then decode', async () => {
    const prompt = [1, 403, 407, 261, 378, 282, 395, 363, 269, 283, 274, 342, 262, 293, 275, 317]; // 16 tokens
    const run = await llamaRun(8, 8, 'ktree', 'meshgemm', prompt, 3);
    expect(run.runs[0].phase).toBe('prefill');
    check('prefill 8x8 meshgemm', run);
  });

  const dir = mkdtempSync(join(tmpdir(), 'wafer-golden-'));
  const kernels: string[][] = [];
  for (const mesh of ['4', '8']) for (const algo of ['meshgemm', 'cannon', 'summa']) kernels.push(['gemm', '--algo', algo, '--mesh', mesh, '--m', '37', '--k', '53', '--n', '29']);
  for (const mesh of ['5', '4x7', '16']) for (const algo of ['meshgemv', 'pipeline', 'ring']) kernels.push(['gemv', '--algo', algo, '--mesh', mesh, '--k', '300', '--n', '77']);
  kernels.push(['gemv', '--algo', 'meshgemv', '--mesh', '8', '--k', '256', '--n', '256', '--axis', 'x']);
  for (const args of kernels) {
    it(`wafer kernel ${args.join(' ')}`, async () => {
      const file = join(dir, `${args.join('-')}.json`);
      const r = await wafer('kernel', ...args, '--threads', '2', '--json', '--counters', file);
      expect(r.code, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout);
      const counters = JSON.parse(readFileSync(file, 'utf8'));
      const h = createHash('sha256').update(JSON.stringify(counters)).digest('hex').slice(0, 16);
      check(`kernel ${args.join(' ')}`, { modeled_cycles: j.modeled_cycles, messages: j.messages, max_hops: j.max_hops_per_transfer, routes: j.max_routes_per_router, sram: j.sram_peak_bytes_per_core, counters_sha256: h });
    });
  }
});
