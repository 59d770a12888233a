// Which tokenizer a checkpoint points at: tok<vocab>.bin or tokenizer.bin beside a .bin, the GGUF's
// embedded vocabulary, or an explicit tokenizerPath (which must exist); none found → undefined.

import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../src/checkpoint/index.js';
import { STORIES_BIN, STORIES_GGUF, STORIES_TOK, expectWaferError, tempDir } from './checkpoint-fixtures.js';

const tmp = tempDir();
afterAll(tmp.remove);

/** A copy of stories260K.bin alone in a new folder, optionally with a tokenizer file named `tokenizerName`. */
function binIn(folder: string, tokenizerName?: string): string {
  const dir = join(tmp.dir, folder);
  mkdirSync(dir);
  const path = join(dir, 'model.bin');
  copyFileSync(STORIES_BIN, path);
  if (tokenizerName) copyFileSync(STORIES_TOK, join(dir, tokenizerName));
  return path;
}

describe('tokenizer discovery', () => {
  it('leaves the tokenizer undefined when none is beside a .bin', () => {
    expect(loadModel(binIn('alone')).tokenizer).toBeUndefined();
  });

  it('finds tokenizer.bin beside a .bin', () => {
    const path = binIn('generic', 'tokenizer.bin');
    expect(loadModel(path).tokenizer).toEqual({ kind: 'llama2c', path: join(tmp.dir, 'generic', 'tokenizer.bin') });
  });

  it('prefers the explicit tokenizerPath, by extension, over the embedded GGUF vocabulary', () => {
    expect(loadModel(STORIES_GGUF, { tokenizerPath: STORIES_TOK }).tokenizer).toEqual({ kind: 'llama2c', path: STORIES_TOK });
    const json = join(tmp.dir, 'tokenizer.json');
    copyFileSync(STORIES_TOK, json); // only the path matters here; src/tokenizer parses it
    expect(loadModel(STORIES_BIN, { tokenizerPath: json }).tokenizer).toEqual({ kind: 'hf-json', path: json });
  });

  it('rejects a tokenizerPath that does not exist', () => {
    const missing = join(tmp.dir, 'missing-tok.bin');
    expectWaferError(() => loadModel(STORIES_BIN, { tokenizerPath: missing }), 'FILE_NOT_FOUND', missing);
  });
});
