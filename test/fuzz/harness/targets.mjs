// The fuzz targets: one per reader, each a function of untrusted bytes that drives the pure parsing function
// (and what a loader does next with its result) exactly as wafer does with a file. Shared by the Jazzer.js
// entry (fuzzing) and the corpus replay in the test suite.
import { parseMachineJson } from '@wafer/arch';
import {
  decodeSafetensor,
  loadTokenizer,
  parseGguf,
  parseHfConfig,
  parseHfTokenizerJson,
  parseLlama2cTokenizer,
  parseSafetensors,
  parseWeightMap,
  readGgufBytes,
  readLlama2cBytes,
} from '@wafer/llama';

/** Text every tokenizer target encodes: ASCII, a space run, accents, CJK, an emoji, special-looking tokens. */
const PROBE_TEXT = 'Once upon a time,  there was a café 日本 🦙 <s></s><|begin_of_text|>\n';

/** Encodes the probe text, decodes the ids back, and decodes every id of a small vocabulary one by one. */
function exerciseTokenizer(tokenizer) {
  const ids = tokenizer.encode(PROBE_TEXT, { bos: true, eos: true });
  tokenizer.decode(ids);
  const stream = tokenizer.streamDecoder();
  for (const id of ids) stream.push(id);
  stream.flush();
  for (let id = 0; id < Math.min(tokenizer.vocabSize, 1024); id++) tokenizer.piece(id);
}

/** GGUF: the container parser, then the whole Llama reader (metadata, shapes, dequantisation, tokenizer). */
function gguf(bytes) {
  parseGguf(bytes, 'fuzz.gguf');
  const model = readGgufBytes(bytes, 'fuzz.gguf');
  if (model.tokenizer) exerciseTokenizer(loadTokenizer(model));
}

/** safetensors: the header, then every tensor decoded to float32 as the Hugging Face reader does. */
function safetensors(bytes) {
  const file = parseSafetensors(bytes, 'fuzz.safetensors');
  for (const entry of file.entries.values()) decodeSafetensor(file, entry);
}

/** model.safetensors.index.json: the weight map (tensor → shard file inside the directory). */
function safetensorsIndex(bytes) {
  parseWeightMap(bytes, 'fuzz/model.safetensors.index.json');
}

/** llama2.c `.bin`: the 28-byte header checked against the length, then every tensor cut from the body. */
function llama2c(bytes) {
  readLlama2cBytes(bytes, 'fuzz.bin');
}

/** llama2.c `tokenizer.bin`: the vocabulary, then the tokenizer built on it encoding and decoding. */
function llama2cTokenizer(bytes) {
  exerciseTokenizer(parseLlama2cTokenizer(bytes, 'fuzz-tokenizer.bin'));
}

/** Hugging Face `tokenizer.json`: shape checks, Tokenizers.js, the decoder style and special ids, then use. */
function tokenizerJson(bytes) {
  exerciseTokenizer(parseHfTokenizerJson(bytes, 'fuzz/tokenizer.json'));
}

/** Hugging Face `config.json` of a Llama model. */
function hfConfig(bytes) {
  parseHfConfig(bytes, 'fuzz/config.json');
}

/** A machine description (`--machine FILE`). */
function machine(bytes) {
  parseMachineJson(bytes, 'fuzz-machine.json');
}

/** Every target by the name `pnpm fuzz` and the corpus directories use. */
export const FUZZ_TARGETS = {
  gguf,
  safetensors,
  'safetensors-index': safetensorsIndex,
  llama2c,
  'llama2c-tokenizer': llama2cTokenizer,
  'tokenizer-json': tokenizerJson,
  'hf-config': hfConfig,
  machine,
};

/** The names of FUZZ_TARGETS, in the order `pnpm fuzz all` runs them. */
export const FUZZ_TARGET_NAMES = Object.keys(FUZZ_TARGETS);
