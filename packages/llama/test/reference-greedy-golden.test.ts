// Greedy generation with the reference engine reproduces all 8 run.c cases exactly, ids and printed text,
// from both the llama2.c .bin and the GGUF conversion of stories260K.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { loadModel } from '../src/checkpoint/index.js';
import { Sampler, generate, type GenerationResult } from '../src/generate/index.js';
import { ReferenceLlama } from '../src/reference/index.js';
import { loadTokenizer } from '../src/tokenizer/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const greedy = JSON.parse(readFileSync(`${root}test/golden/stories260K-greedy.json`, 'utf8'));

interface GoldenCase {
  prompt: string;
  n: number;
  prompt_tokens: number[];
  generated_tokens: number[];
  forward_passes: number;
  stopped_on_bos: boolean;
  stdout: string;
}

const models = {
  'stories260K.bin': await loadModel(`${root}models/stories260K/stories260K.bin`, { tokenizerPath: `${root}models/stories260K/tok512.bin` }),
  'stories260K.gguf': await loadModel(`${root}models/stories260K/stories260K.gguf`), // tokenizer embedded
};

describe.each(Object.entries(models))('run.c greedy cases from %s', (_file, model) => {
  const tokenizer = loadTokenizer(model);
  const engine = new ReferenceLlama(model);

  const cases = (greedy.cases as GoldenCase[]).map((c): [string, number, GoldenCase] => [JSON.stringify(c.prompt), c.n, c]);
  test.each(cases)('prompt %s, run.c -n %i', async (_, __, c) => {
    const promptIds = tokenizer.encode(c.prompt, { bos: true });
    expect(promptIds).toEqual(c.prompt_tokens);

    // run.c echoes the prompt: each forced token is decoded against its predecessor, starting after BOS.
    const decoder = tokenizer.streamDecoder(tokenizer.bosId);
    let stdout = '';
    for (const id of promptIds.slice(1)) stdout += decoder.push(id);
    expect(stdout).toBe(c.prompt);

    // run.c's -n counts positions and prints the token sampled at the last one: n - P + 1 new tokens.
    // run.c stops when BOS is sampled, whatever the checkpoint format, so stopOnBos is forced on here.
    let result: GenerationResult | undefined;
    for await (const event of generate(engine, promptIds, {
      maxNewTokens: c.n - promptIds.length + 1,
      sampler: Sampler.greedy(),
      eosId: model.eosId,
      bosId: model.bosId,
      stopOnBos: true,
    })) {
      if (event.type === 'token') stdout += decoder.push(event.id);
      else result = event.result;
    }
    stdout += decoder.flush();

    expect(result?.generatedTokens).toEqual(c.generated_tokens);
    expect(result?.forwardPasses).toBe(c.forward_passes);
    expect(result?.stopDetail).toBe(c.stopped_on_bos ? 'bos' : 'max-new-tokens');
    expect(`${stdout}\n`).toBe(c.stdout);
  });
});
