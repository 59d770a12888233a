// config.json → LlamaConfig on Meta's published Llama-3.2-1B-Instruct config (llama3 RoPE scaling, a list
// of EOS ids, tied embeddings), and the writer's config.json reading back to the same config.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readHfConfig, hfConfigJson } from '../src/checkpoint/hf-config.js';
import type { LlamaConfig } from '../src/model/types.js';
import { expectWaferError, tempDir } from './checkpoint-fixtures.js';

const tmp = tempDir();
afterAll(tmp.remove);

/** meta-llama/Llama-3.2-1B-Instruct config.json (values as published on the Hugging Face Hub). */
const LLAMA_32_1B = {
  architectures: ['LlamaForCausalLM'],
  attention_bias: false,
  attention_dropout: 0.0,
  bos_token_id: 128000,
  eos_token_id: [128001, 128008, 128009],
  head_dim: 64,
  hidden_act: 'silu',
  hidden_size: 2048,
  initializer_range: 0.02,
  intermediate_size: 8192,
  max_position_embeddings: 131072,
  mlp_bias: false,
  model_type: 'llama',
  num_attention_heads: 32,
  num_hidden_layers: 16,
  num_key_value_heads: 8,
  pretraining_tp: 1,
  rms_norm_eps: 1e-5,
  rope_scaling: { factor: 32.0, high_freq_factor: 4.0, low_freq_factor: 1.0, original_max_position_embeddings: 8192, rope_type: 'llama3' },
  rope_theta: 500000.0,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  transformers_version: '4.45.0.dev0',
  use_cache: true,
  vocab_size: 128256,
};

function writeConfig(name: string, json: object): string {
  const path = join(tmp.dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(json));
  return path;
}

describe('Hugging Face config.json', () => {
  it('reads Llama 3.2 1B: GQA, llama3 RoPE scaling, first EOS of the list, tied embeddings', () => {
    const hf = readHfConfig(writeConfig('llama32', LLAMA_32_1B));
    expect(hf.config).toEqual({
      dim: 2048, hiddenDim: 8192, nLayers: 16, nHeads: 32, nKvHeads: 8, headDim: 64, vocabSize: 128256, seqLen: 131072,
      normEps: 1e-5, ropeTheta: 500000,
      ropeScaling: { type: 'llama3', factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192 },
    });
    expect([hf.bosId, hf.eosId, hf.tieWordEmbeddings]).toEqual([128000, 128001, true]);
  });

  it('reads back the config.json the writer produces', () => {
    const hf = readHfConfig(writeConfig('llama32', LLAMA_32_1B));
    const config: LlamaConfig = { ...hf.config, sharedClassifier: true };
    const again = readHfConfig(writeConfig('rewritten', hfConfigJson(config, hf.bosId, hf.eosId, 'bfloat16')));
    expect(again).toEqual(hf);
  });

  it('rejects other architectures and RoPE scaling types', () => {
    const mistral = writeConfig('mistral', { ...LLAMA_32_1B, architectures: ['MistralForCausalLM'], model_type: 'mistral' });
    expectWaferError(() => readHfConfig(mistral), 'UNSUPPORTED', mistral, 'MistralForCausalLM');
    const yarn = writeConfig('yarn', { ...LLAMA_32_1B, rope_scaling: { type: 'yarn', factor: 4 } });
    expectWaferError(() => readHfConfig(yarn), 'UNSUPPORTED', yarn, '"yarn"');
  });
});
