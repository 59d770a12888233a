// The fuzz seed corpora and every fuzz finding, replayed through the fuzz targets without fuzzing: each input
// must end in 'ok' or a typed WaferError with a clean one-line message, within the allocation bound (the
// rules of test/fuzz/harness/check-input.mjs), so a fixed finding that comes back fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkInput } from './fuzz/harness/check-input.mjs';
import { FUZZ_TARGET_NAMES } from './fuzz/harness/targets.mjs';

const dir = (kind: string, target: string) => new URL(`./fuzz/${kind}/${target}/`, import.meta.url);
const files = (kind: string, target: string): string[] => {
  try {
    return readdirSync(dir(kind, target)).sort();
  } catch {
    return [];
  }
};

/** What each committed finding must now end in (it crashed, hung or printed a multi-line error before its fix). */
const FINDINGS: Record<string, string> = {
  'tokenizer-json/vocab-id-2366666662-hangs-get-vocab.json': 'BAD_HEADER',
  'tokenizer-json/post-processor-throws-in-encode.json': 'UNSUPPORTED',
  'tokenizer-json/template-special-token-without-ids.json': 'ok',
  'machine/json-error-excerpt-with-newlines.json': 'BAD_CONFIG',
};

describe.each(FUZZ_TARGET_NAMES)('fuzz target %s', (target) => {
  it('every seed parses (the header-only seeds end where their data would start)', () => {
    const seeds = files('corpus', target);
    expect(seeds.length).toBeGreaterThan(0);
    for (const name of seeds) {
      const outcome = checkInput(target, readFileSync(new URL(name, dir('corpus', target))));
      expect([name, outcome]).toEqual([name, name.includes('header') ? 'FILE_TRUNCATED' : 'ok']);
    }
  });

  it('every committed finding replays to its fixed outcome', () => {
    for (const name of files('regressions', target)) {
      const expected = FINDINGS[`${target}/${name}`];
      expect(expected, `${target}/${name} has no expected outcome in FINDINGS`).toBeDefined();
      expect([name, checkInput(target, readFileSync(new URL(name, dir('regressions', target))))]).toEqual([name, expected]);
    }
  });
});

it('every finding listed is committed', () => {
  for (const key of Object.keys(FINDINGS)) {
    const [target, name] = key.split('/');
    expect(files('regressions', target)).toContain(name);
  }
});
