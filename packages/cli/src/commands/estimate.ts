// `wafer estimate`: the analytical PLMR model's prediction for a model on a mesh: time to first token,
// decode and end-to-end tok/s, placement into regions, SRAM, longest output, energy, and a decode-layer
// breakdown. A model is a built-in shape name or any checkpoint (only its header is read).
import type { Argv } from 'yargs';
import { parseMesh, usageError, WaferError } from '@wafer/arch';
import { readCheckpointShape } from '@wafer/llama';
import { decodeStep, maxDecodeOutput, MODEL_SHAPES, modelShape, prefill, shapeFromLlamaConfig, type ModelShape } from '@wafer/perf';
import { choiceFlag, intFlag } from '../flags.js';
import { loadMachine } from '../machine-file.js';
import type { Context } from '../context.js';
import { estimatePhaseChange } from '../phase-change-estimate.js';

export function estimateBuilder(y: Argv): Argv {
  return y
    .option('model', { alias: 'm', type: 'string', demandOption: true, describe: `built-in shape (${Object.keys(MODEL_SHAPES).join(', ')}) or a checkpoint (.bin, .gguf, HF directory)` })
    .option('mesh', { type: 'string', default: '420', describe: 'P (P×P) for prefill and decode' })
    .option('prefill-mesh', { type: 'string', describe: 'P for prefill (default --mesh)' })
    .option('decode-mesh', { type: 'string', describe: 'P for decode (default --mesh)' })
    .option('machine', { type: 'string', default: 'wse2' })
    .option('prompt', { type: 'string', default: '4096', describe: 'prompt tokens' })
    .option('gen', { type: 'string', default: '4096', describe: 'generated tokens' })
    .option('context', { type: 'string', describe: 'KV positions decode attends to (default: the mean over the output, prompt + gen/2; the paper quotes 4096)' })
    .option('convention', { type: 'string', default: 'paper', describe: "'paper' (one head of width dim, dims padded to P, one layer × layers) or 'real' heads" })
    .option('allreduce', { type: 'string', default: 'ktree', describe: 'ktree, pipeline or ring' })
    .option('json', { type: 'boolean', default: false, describe: 'one JSON object; e2e_tok_s is the paper\'s end-to-end throughput: generated tokens ÷ (prefill time + decode time)' });
}

interface EstimateArgs {
  model: string;
  mesh: string;
  'prefill-mesh'?: string;
  'decode-mesh'?: string;
  machine: string;
  prompt: string;
  gen: string;
  context?: string;
  convention: string;
  allreduce: string;
  json: boolean;
}

function side(text: string, flag: string): number {
  const m = parseMesh(text, flag);
  if (m.rows !== m.cols) throw usageError(`${flag} ${text}: the analytical model takes square meshes (P or PxP)`);
  return m.rows;
}

function resolveShape(name: string): ModelShape {
  if (name.toLowerCase() in MODEL_SHAPES) return modelShape(name.toLowerCase());
  try {
    return shapeFromLlamaConfig(readCheckpointShape(name), name.split('/').pop());
  } catch (e) {
    if (e instanceof WaferError && e.code === 'FILE_NOT_FOUND') throw usageError(`--model ${name}: neither a built-in shape (${Object.keys(MODEL_SHAPES).join(', ')}) nor a file`);
    throw e;
  }
}

export async function estimateCommand(argv: EstimateArgs, ctx: Context): Promise<void> {
  const spec = loadMachine(argv.machine);
  const shape = resolveShape(argv.model);
  const pMesh = side(argv['prefill-mesh'] ?? argv.mesh, argv['prefill-mesh'] ? '--prefill-mesh' : '--mesh');
  const dMesh = side(argv['decode-mesh'] ?? argv.mesh, argv['decode-mesh'] ? '--decode-mesh' : '--mesh');
  const promptTokens = intFlag('--prompt', argv.prompt, { min: 1 });
  const gen = intFlag('--gen', argv.gen, { min: 1 });
  const convention = choiceFlag('--convention', argv.convention, ['paper', 'real'] as const);
  const strategy = choiceFlag('--allreduce', argv.allreduce, ['ktree', 'pipeline', 'ring'] as const);
  const context = argv.context === undefined ? promptTokens + Math.floor(gen / 2) : intFlag('--context', argv.context, { min: 1 });
  const pre = prefill(spec, shape, { mesh: pMesh, promptTokens, convention, strategy });
  const dec = decodeStep(spec, shape, { mesh: dMesh, context, convention, strategy });
  const concat = maxDecodeOutput(spec, shape, { mesh: dMesh, promptTokens, cache: 'concat', convention });
  const shift = maxDecodeOutput(spec, shape, { mesh: dMesh, promptTokens, cache: 'shift', convention });
  // The same question under the wafer-wide conventions (kv-capacity.ts): every layer over the whole core array
  // (busiest core), and the array's total SRAM less the total weights (the paper's accounting).
  const longest = (cores: 'wafer' | 'pooled') => ({
    concat: maxDecodeOutput(spec, shape, { mesh: dMesh, promptTokens, cache: 'concat', convention, cores }).maxOutputTokens,
    shift: maxDecodeOutput(spec, shape, { mesh: dMesh, promptTokens, cache: 'shift', convention, cores }).maxOutputTokens,
  });
  const wafer = longest('wafer');
  const pooled = longest('pooled');
  // The paper's end-to-end throughput of one request: generated tokens ÷ (prefill time + decode time). Under 'real'
  // the TTFT already ends with the decode step that yields the first new token, so gen − 1 steps follow it.
  const decodeSteps = convention === 'real' ? gen - 1 : gen;
  // Different grids: the phase change moves every layer's weights and the prompt's keys and values over the
  // fabric before decode starts (part of the prefill time); the weights go back before the next prompt.
  const change = pMesh === dMesh ? null : estimatePhaseChange(spec, shape, pMesh, dMesh, promptTokens, convention);
  const prefillSeconds = pre.ttftSeconds + (change?.toDecodeSeconds ?? 0);
  const e2eSeconds = prefillSeconds + decodeSteps * dec.seconds;
  const out = {
    model: shape.name,
    machine: spec.name,
    convention,
    prefill_mesh: pMesh,
    decode_mesh: dMesh,
    prompt_tokens: promptTokens,
    gen_tokens: gen,
    decode_context: context,
    ttft_s: prefillSeconds,
    prefill_s: pre.ttftSeconds,
    phase_change_s: change?.toDecodeSeconds ?? 0,
    phase_change_back_s: change?.backSeconds ?? 0,
    prefill_tok_s: pre.tokensPerSecond,
    decode_cycles_per_layer: dec.layer.totalCycles,
    decode_cycles_per_token: dec.totalCycles,
    decode_tok_s: dec.tokensPerSecond,
    e2e_tok_s: gen / e2eSeconds,
    layers_per_region: dec.placement?.layersPerRegion ?? null,
    regions: dec.placement?.regionsNeeded ?? null,
    sram_bytes_per_core: dec.placement?.peakBytesPerCore ?? null,
    max_output_tokens_concat: concat.maxOutputTokens,
    max_output_tokens_shift: shift.maxOutputTokens,
    max_output_tokens: { regions: { concat: concat.maxOutputTokens, shift: shift.maxOutputTokens }, wafer, pooled },
    energy_j_per_token: dec.joulesPerToken,
    decode_layer: {
      compute_cycles: dec.layer.computeCycles,
      allreduce_cycles: dec.layer.allreduces,
      kv_append_cycles: dec.layer.kvAppendCycles,
      handoff_cycles: dec.handoffCycles,
    },
  };
  if (argv.json) {
    ctx.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  const n = (v: number) => Math.round(v).toLocaleString('en-US');
  const lines = [
    `${shape.name} on ${spec.name}, ${convention} convention: prefill ${pMesh}², decode ${dMesh}², prompt ${promptTokens}, output ${gen}, decode context ${context}`,
    `  prefill       TTFT ${(prefillSeconds * 1000).toFixed(2)} ms · ${n(pre.tokensPerSecond)} tok/s${change ? ` (prefill ${(pre.ttftSeconds * 1000).toFixed(2)} ms + phase change to ${dMesh}² ${(change.toDecodeSeconds * 1000).toFixed(2)} ms; weights back ${(change.backSeconds * 1000).toFixed(2)} ms before the next prompt)` : ''}`,
    `  decode        ${n(dec.layer.totalCycles)} cycles/layer · ${n(dec.totalCycles)} cycles/token · ${dec.tokensPerSecond.toFixed(1)} tok/s`,
    `  end to end    ${out.e2e_tok_s.toFixed(1)} tok/s (the paper's: ${gen} generated tokens over prefill + ${decodeSteps} decode steps)`,
    `  placement     ${out.regions === null ? 'one layer × layers (paper timing)' : `${out.layers_per_region} layers per region, ${out.regions} region(s), ${n(out.sram_bytes_per_core!)} bytes SRAM per core of ${n(spec.sramBytesPerCore)}`}`,
    `  longest output ${n(concat.maxOutputTokens)} tokens with a concatenated KV cache, ${n(shift.maxOutputTokens)} shift-based (${dMesh}² regions); over the whole wafer ${n(wafer.concat)} → ${n(wafer.shift)}, pooled SRAM ${n(pooled.concat)} → ${n(pooled.shift)}`,
    `  energy        ${dec.joulesPerToken.toFixed(4)} J per token (${spec.powerWatts} W × time)`,
    `  decode layer  compute ${n(dec.layer.computeCycles)} · KV append ${n(dec.layer.kvAppendCycles)} · hand-off ${n(dec.handoffCycles)}`,
    ...Object.entries(dec.layer.allreduces).map(([k, v]) => `                allreduce ${k.padEnd(10)} ${n(v)}`),
  ];
  ctx.stdout.write(`${lines.join('\n')}\n`);
}
