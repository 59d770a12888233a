// The llama2.c reference cases (test/golden/stories260K-greedy.json) and the -n they correspond to.
import { readFileSync } from 'node:fs';

export interface GoldenCase {
  prompt: string;
  n: number;
  prompt_tokens: number[];
  generated_tokens: number[];
  stopped_on_bos: boolean;
  stdout: string;
}

export const GOLDEN: GoldenCase[] = JSON.parse(readFileSync(new URL('../golden/stories260K-greedy.json', import.meta.url), 'utf8')).cases;

/** wafer's -n (new tokens) for a run.c case: run.c's -n counts positions, the prompt included. */
export function newTokens(c: GoldenCase): number {
  return c.n - c.prompt_tokens.length + 1;
}

export const MODELS = {
  bin: new URL('../../models/stories260K/stories260K.bin', import.meta.url).pathname,
  gguf: new URL('../../models/stories260K/stories260K.gguf', import.meta.url).pathname,
};
