// Test helper: the run.c encode golden table (test/golden/tokenizer-encode.json) and the two llama2.c
// vocabulary files it was made with.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../../', import.meta.url));
export const golden = JSON.parse(readFileSync(`${root}test/golden/tokenizer-encode.json`, 'utf8'));
/** Golden-table name → vocabulary file. */
export const files: Record<string, string> = {
  'tok512.bin': `${root}models/stories260K/tok512.bin`,
  'tokenizer.bin': `${root}models/llama2/tokenizer.bin`,
};
