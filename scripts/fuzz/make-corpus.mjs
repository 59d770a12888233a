#!/usr/bin/env node
// Writes the fuzz seed corpora (test/fuzz/corpus/<target>/) from the bundled files and from tiny seeded
// synth checkpoints in every format wafer reads. Deterministic; run after `pnpm build` and commit the result.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BYTE_TO_CHAR,
  ggufTokenizerData,
  hasGgufMagic,
  LLAMA3_SPLIT_REGEX,
  parseGgufHeader,
  readLlama2cTokenizer,
  sentencePieceToTokenizerJson,
  synthesize,
  writeGguf,
  writeHfDirectory,
  writeLlama2c,
} from '@wafer/llama';

const root = fileURLToPath(new URL('../../', import.meta.url));
const corpus = join(root, 'test/fuzz/corpus');
const tok512 = join(root, 'models/stories260K/tok512.bin');
const scratch = mkdtempSync(join(tmpdir(), 'wafer-corpus-'));

/** A llama2.c-style tiny shape (classifier shared, theta 10000, eps 1e-5). */
function shape(dim, hiddenDim, nHeads, nKvHeads, vocabSize, seqLen, extra = {}) {
  return { dim, hiddenDim, nLayers: 1, nHeads, nKvHeads, headDim: dim / nHeads, vocabSize, seqLen, normEps: 1e-5, ropeTheta: 10000, sharedClassifier: true, ...extra };
}

function seed(target, name, bytes) {
  mkdirSync(join(corpus, target), { recursive: true });
  writeFileSync(join(corpus, target, name), bytes);
}

function writeTo(name, write) {
  const path = join(scratch, name);
  write(path);
  return readFileSync(path);
}

/** A Llama-3-style byte-level vocabulary: the 256 byte characters, a few merges, and two special tokens. */
function byteLevelVocabulary() {
  const merges = [['Ġ', 't'], ['h', 'e'], ['Ġt', 'he'], ['l', 'l'], ['o', 'n']];
  const tokens = [...BYTE_TO_CHAR, ...merges.map(([l, r]) => l + r), '<|begin_of_text|>', '<|end_of_text|>'];
  const special = tokens.length - 2;
  return {
    model: 'gpt2',
    pre: 'llama-bpe',
    tokens,
    scores: new Float32Array(tokens.length),
    tokenTypes: Int32Array.from(tokens, (_, id) => (id >= special ? 3 : 1)),
    merges: merges.map(([l, r]) => `${l} ${r}`),
    bos: special,
    eos: special + 1,
  };
}

function ggufSeeds() {
  const spm = ggufTokenizerData(readLlama2cTokenizer(tok512, 512));
  seed('gguf', 'tiny-f32-tok512.gguf', writeTo('a.gguf', (p) => writeGguf(p, synthesize(shape(8, 16, 2, 1, 512, 16), 1), { dtype: 'F32', tokenizer: spm })));
  const byteLevel = byteLevelVocabulary();
  const gpt2 = synthesize(shape(8, 16, 2, 1, byteLevel.tokens.length, 16), 2);
  seed('gguf', 'tiny-gpt2-vocab.gguf', writeTo('b.gguf', (p) => writeGguf(p, gpt2, { dtype: 'F16', tokenizer: byteLevel })));
  for (const dtype of ['Q8_0', 'Q4_0', 'Q5_1', 'IQ4_NL', 'BF16']) {
    const model = synthesize(shape(32, 32, 2, 1, 16, 8), 3);
    seed('gguf', `tiny-${dtype.toLowerCase()}.gguf`, writeTo(`${dtype}.gguf`, (p) => writeGguf(p, model, { dtype })));
  }
  const llama3 = shape(16, 32, 2, 1, 16, 8, {
    ropeTheta: 500000,
    sharedClassifier: false,
    ropeScaling: { type: 'llama3', factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192 },
  });
  seed('gguf', 'tiny-llama3-rope-freqs.gguf', writeTo('c.gguf', (p) => writeGguf(p, synthesize(llama3, 4), { dtype: 'F32' })));
  const stories = readFileSync(join(root, 'models/stories260K/stories260K.gguf'));
  if (!hasGgufMagic(stories)) throw new Error('stories260K.gguf is not a GGUF');
  seed('gguf', 'stories260K-header-only.gguf', stories.subarray(0, parseGgufHeader(stories, 'stories260K.gguf').dataOffset));
}

function hfSeeds() {
  const model = synthesize(shape(8, 16, 2, 1, 16, 16), 5);
  const tokenizerJson = sentencePieceToTokenizerJson(readLlama2cTokenizer(tok512, 512));
  for (const [dtype, shards] of [['F32', 2], ['F16', 1], ['BF16', 1]]) {
    const dir = join(scratch, `hf-${dtype}`);
    writeHfDirectory(dir, model, { dtype, shards, tokenizerJson });
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.safetensors'))) {
      seed('safetensors', `${dtype.toLowerCase()}-${file}`, readFileSync(join(dir, file)));
    }
    if (shards > 1) seed('safetensors-index', 'model.safetensors.index.json', readFileSync(join(dir, 'model.safetensors.index.json')));
    if (dtype === 'F32') seed('hf-config', 'tiny-config.json', readFileSync(join(dir, 'config.json')));
  }
  seed('tokenizer-json', 'tok512-sentencepiece.json', tokenizerJson);
  seed('hf-config', 'llama-3.2-1b-config.json', `${JSON.stringify({
    architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 2048, intermediate_size: 8192, num_hidden_layers: 16,
    num_attention_heads: 32, num_key_value_heads: 8, head_dim: 64, vocab_size: 128256, max_position_embeddings: 131072,
    rms_norm_eps: 1e-5, rope_theta: 500000, hidden_act: 'silu', attention_bias: false, mlp_bias: false, tie_word_embeddings: true,
    rope_scaling: { rope_type: 'llama3', factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 },
    bos_token_id: 128000, eos_token_id: [128001, 128008, 128009], torch_dtype: 'bfloat16',
  }, null, 2)}\n`);
  seed('tokenizer-json', 'byte-level-bpe.json', byteLevelTokenizerJson());
}

/** The byte-level vocabulary above as a tokenizer.json (Split + ByteLevel pre-tokenizer, BOS template). */
function byteLevelTokenizerJson() {
  const v = byteLevelVocabulary();
  const specials = v.tokens.slice(v.bos);
  return JSON.stringify({
    version: '1.0',
    added_tokens: specials.map((content, i) => ({ id: v.bos + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: { type: 'Sequence', pretokenizers: [
      { type: 'Split', pattern: { Regex: LLAMA3_SPLIT_REGEX }, behavior: 'Isolated', invert: false },
      { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
    ] },
    post_processor: { type: 'TemplateProcessing', single: [{ SpecialToken: { id: specials[0], type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }], pair: [],
      special_tokens: { [specials[0]]: { id: specials[0], ids: [v.bos], tokens: [specials[0]] } } },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false,
      byte_fallback: false, ignore_merges: true, vocab: Object.fromEntries(v.tokens.slice(0, v.bos).map((p, id) => [p, id])),
      merges: v.merges.map((m) => m.split(' ')) },
  });
}

function llama2cSeeds() {
  const shared = writeTo('shared.bin', (p) => writeLlama2c(p, synthesize(shape(8, 16, 2, 1, 32, 8), 6)));
  seed('llama2c', 'tiny-shared.bin', shared);
  seed('llama2c', 'tiny-shared-no-rope-tables.bin', shared.subarray(0, shared.length - 4 * 8 * 4)); // seq 8 × head 4
  seed('llama2c', 'tiny-mqa-own-classifier.bin', writeTo('own.bin', (p) => writeLlama2c(p, synthesize(shape(16, 24, 4, 1, 24, 4, { sharedClassifier: false }), 7))));
  seed('llama2c', 'stories260K-header.bin', readFileSync(join(root, 'models/stories260K/stories260K.bin')).subarray(0, 28));
  copyFileSync(tok512, join(mkdirOf('llama2c-tokenizer'), 'tok512.bin'));
}

function machineSeeds() {
  const presets = join(root, 'configs/machines');
  for (const file of readdirSync(presets)) copyFileSync(join(presets, file), join(mkdirOf('machine'), file));
}

function mkdirOf(target) {
  const dir = join(corpus, target);
  mkdirSync(dir, { recursive: true });
  return dir;
}

rmSync(corpus, { recursive: true, force: true });
try {
  ggufSeeds();
  hfSeeds();
  llama2cSeeds();
  machineSeeds();
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
for (const target of readdirSync(corpus).sort()) {
  const files = readdirSync(join(corpus, target));
  const bytes = files.reduce((sum, f) => sum + readFileSync(join(corpus, target, f)).length, 0);
  console.log(`${target}: ${files.length} files, ${bytes} bytes`);
}
