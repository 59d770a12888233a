// A checkpoint's chat template: GGUF `tokenizer.chat_template` is written and read back; a Hugging Face
// directory's comes from tokenizer_config.json (a string, or a list of named templates) or chat_template.jinja.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel, writeGguf, writeHfDirectory } from '../src/checkpoint/index.js';
import { readLlama2cTokenizer, sentencePieceToTokenizerJson } from '../src/tokenizer/index.js';
import { STORIES_BIN, STORIES_TOK, expectWaferError, tempDir } from './checkpoint-fixtures.js';

const tmp = tempDir();
afterAll(tmp.remove);
const TEMPLATE = '{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{% endfor %}<|assistant|>';
const bin = loadModel(STORIES_BIN);

describe('chat templates of checkpoints', () => {
  it('a llama2.c .bin has none; GGUF keeps tokenizer.chat_template through a write and a read', () => {
    expect(bin.chatTemplate).toBeUndefined();
    const path = join(tmp.dir, 'chat.gguf');
    writeGguf(path, { ...bin, chatTemplate: TEMPLATE }, { dtype: 'F32' });
    expect(loadModel(path, { tokenizerPath: STORIES_TOK }).chatTemplate).toBe(TEMPLATE);
    const plain = join(tmp.dir, 'plain.gguf');
    writeGguf(plain, bin, { dtype: 'F32' });
    expect(loadModel(plain, { tokenizerPath: STORIES_TOK }).chatTemplate).toBeUndefined();
  });

  it('a Hugging Face directory: tokenizer_config.json (string or named list), then chat_template.jinja', () => {
    const dir = join(tmp.dir, 'hf');
    writeHfDirectory(dir, bin, { shards: 1, dtype: 'F32', tokenizerJson: sentencePieceToTokenizerJson(readLlama2cTokenizer(STORIES_TOK, 512)) });
    expect(loadModel(dir).chatTemplate).toBeUndefined();
    const config = join(dir, 'tokenizer_config.json');
    writeFileSync(config, JSON.stringify({ chat_template: TEMPLATE }));
    expect(loadModel(dir).chatTemplate).toBe(TEMPLATE);
    writeFileSync(config, JSON.stringify({ chat_template: [{ name: 'tool_use', template: 'x' }, { name: 'default', template: TEMPLATE }] }));
    expect(loadModel(dir).chatTemplate).toBe(TEMPLATE);
    writeFileSync(config, JSON.stringify({ chat_template: 42 }));
    expectWaferError(() => loadModel(dir), 'BAD_HEADER', 'tokenizer_config.json', 'chat_template must be a string');
    writeFileSync(join(dir, 'chat_template.jinja'), '{{ messages[0].content }}');
    expect(loadModel(dir).chatTemplate).toBe('{{ messages[0].content }}');
  });
});
