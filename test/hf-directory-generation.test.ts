// A real Hugging Face directory of stories260K (two F32 safetensors shards, config.json, tokenizer.json) generates
// exactly run.c's greedy token ids, through the library API and through `wafer run -m DIR --json`.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { wafer } from './helpers/cli.js';
import {
  ReferenceLlama,
  Sampler,
  generateAll,
  loadModel,
  loadTokenizer,
  readLlama2cTokenizer,
  sentencePieceToTokenizerJson,
  writeHfDirectory,
  type ModelDescription,
  type Tokenizer,
} from '@wafer/llama';

interface GoldenCase {
  prompt: string;
  n: number;
  prompt_tokens: number[];
  generated_tokens: number[];
  stopped_on_bos: boolean;
}

const MODELS = fileURLToPath(new URL('../models/stories260K/', import.meta.url));
const golden: { cases: GoldenCase[] } = JSON.parse(readFileSync(new URL('./golden/stories260K-greedy.json', import.meta.url), 'utf8'));
// run.c -n 64 stops every prompt by length (no BOS within 64 positions), so the stop rule does not matter
const byLength = golden.cases.filter((c) => c.n === 64 && !c.stopped_on_bos);
const stopsOnBos = golden.cases.find((c) => c.prompt === 'The cat sat' && c.n === 256)!;

const tmp = mkdtempSync(join(tmpdir(), 'wafer-hf-gen-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const dir = join(tmp, 'stories260K-hf');
const bin = loadModel(join(MODELS, 'stories260K.bin'));
writeHfDirectory(dir, bin, { shards: 2, dtype: 'F32', tokenizerJson: sentencePieceToTokenizerJson(readLlama2cTokenizer(join(MODELS, 'tok512.bin'), 512)) });
const hf = loadModel(dir);
const hfTokenizer = loadTokenizer(hf);
const binTokenizer = loadTokenizer(bin);

/** Greedy generation of `c` (wafer's -n = the golden's new-token count); `stopOnBos` defaults to the model's. */
async function greedy(model: ModelDescription, tokenizer: Tokenizer, c: GoldenCase, maxNewTokens: number, stopOnBos = model.stopOnBos) {
  const promptIds = tokenizer.encode(c.prompt, { bos: true });
  const options = { maxNewTokens, sampler: Sampler.greedy(), eosId: model.eosId, bosId: model.bosId, stopOnBos };
  return { promptIds, result: await generateAll(new ReferenceLlama(model), promptIds, options) };
}

describe('generation from a Hugging Face directory', () => {
  it('is a sharded HF layout whose tokenizer is the tokenizer.json beside it', () => {
    expect(readdirSync(dir).sort()).toEqual([
      'config.json',
      'model-00001-of-00002.safetensors',
      'model-00002-of-00002.safetensors',
      'model.safetensors.index.json',
      'tokenizer.json',
    ]);
    expect(hf.format).toBe('safetensors');
    expect(hfTokenizer.kind).toBe('hf-bpe');
    expect([hf.bosId, hf.eosId, hf.stopOnBos]).toEqual([1, 2, false]);
  });

  it.each(byLength.map((c) => [JSON.stringify(c.prompt), c] as const))('greedy %s -n 64: the .bin and the HF directory give run.c\'s ids', async (_, c) => {
    const fromBin = await greedy(bin, binTokenizer, c, c.generated_tokens.length);
    const fromHf = await greedy(hf, hfTokenizer, c, c.generated_tokens.length);
    expect(fromBin.promptIds).toEqual(c.prompt_tokens);
    expect(fromHf.promptIds).toEqual(c.prompt_tokens);
    expect(fromBin.result.generatedTokens).toEqual(c.generated_tokens);
    expect(fromHf.result.generatedTokens).toEqual(c.generated_tokens);
    expect(fromHf.result.stopDetail).toBe('max-new-tokens');
  });

  it('stops on BOS like the .bin only when asked: HF checkpoints do not set stopOnBos', async () => {
    const budget = stopsOnBos.generated_tokens.length + 10;
    const asked = await greedy(hf, hfTokenizer, stopsOnBos, budget, true);
    expect(asked.result.generatedTokens).toEqual(stopsOnBos.generated_tokens);
    expect(asked.result.stopDetail).toBe('bos');
    // with the directory's own rule the BOS is just another token and generation runs to -n
    const own = await greedy(hf, hfTokenizer, stopsOnBos, budget);
    expect(own.result.generatedTokens.slice(0, stopsOnBos.generated_tokens.length + 1)).toEqual([...stopsOnBos.generated_tokens, hf.bosId]);
    expect(own.result.stopDetail).toBe('max-new-tokens');
  });

  it('`wafer run -m DIR --temp 0 --json` prints the same tokens', async () => {
    const c = byLength.find((k) => k.prompt === 'Lily and Ben')!;
    const r = await wafer('run', '-m', dir, '-p', c.prompt, '-n', String(c.generated_tokens.length), '--temp', '0', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.format).toBe('safetensors');
    expect(out.prompt_tokens).toEqual(c.prompt_tokens);
    expect(out.tokens).toEqual(c.generated_tokens);
    expect(out.stop).toBe('length');
  });
});
