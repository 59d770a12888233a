// Tensor names of Hugging Face Llama checkpoints (`model.layers.N.self_attn.q_proj.weight`) and their
// GGUF-style equivalents used in ModelDescription (`blk.N.attn_q`).

/** Per-layer HF module path → our per-layer tensor kind. */
const LAYER_NAMES: Readonly<Record<string, string>> = {
  input_layernorm: 'attn_norm',
  'self_attn.q_proj': 'attn_q',
  'self_attn.k_proj': 'attn_k',
  'self_attn.v_proj': 'attn_v',
  'self_attn.o_proj': 'attn_output',
  post_attention_layernorm: 'ffn_norm',
  'mlp.gate_proj': 'ffn_gate',
  'mlp.up_proj': 'ffn_up',
  'mlp.down_proj': 'ffn_down',
};

const GLOBAL_NAMES: Readonly<Record<string, string>> = {
  'model.embed_tokens.weight': 'token_embd',
  'model.norm.weight': 'output_norm',
  'lm_head.weight': 'output',
};

const LAYER_KINDS = Object.fromEntries(Object.entries(LAYER_NAMES).map(([hf, ours]) => [ours, hf]));
const GLOBAL_KINDS = Object.fromEntries(Object.entries(GLOBAL_NAMES).map(([hf, ours]) => [ours, hf]));

/** HF buffers that older checkpoints save but that are derived data, not weights. */
export function isDerivedHfBuffer(hfName: string): boolean {
  return /^model\.layers\.\d+\.self_attn\.rotary_emb\.inv_freq$/.test(hfName);
}

/** Our name for an HF tensor name, or undefined when it is not a Llama weight. */
export function ourTensorName(hfName: string): string | undefined {
  if (GLOBAL_NAMES[hfName]) return GLOBAL_NAMES[hfName];
  const match = /^model\.layers\.(0|[1-9]\d*)\.(.+)\.weight$/.exec(hfName);
  const kind = match && LAYER_NAMES[match[2]];
  return kind ? `blk.${match[1]}.${kind}` : undefined;
}

/** The HF name of one of our tensor names (the inverse of ourTensorName); other names pass through. */
export function hfTensorName(ourName: string): string {
  if (GLOBAL_KINDS[ourName]) return GLOBAL_KINDS[ourName];
  const match = /^blk\.(\d+)\.(.+)$/.exec(ourName);
  const module = match && LAYER_KINDS[match[2]];
  return module ? `model.layers.${match[1]}.${module}.weight` : ourName;
}
