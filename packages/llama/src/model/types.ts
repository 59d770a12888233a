// The in-memory model description every checkpoint loader produces: a config plus named float32 tensors.
// Tensor names follow GGUF's (`blk.N.attn_q`), and every matrix is row-major [out, in] like llama2.c.

/** Llama 3 style RoPE frequency scaling (`rope_scaling` with rope_type "llama3"). */
export interface RopeScaling {
  type: 'llama3';
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalMaxPositionEmbeddings: number;
}

/** Hyperparameters of a Llama-architecture model. */
export interface LlamaConfig {
  dim: number; // embedding width
  hiddenDim: number; // SwiGLU FFN width
  nLayers: number;
  nHeads: number; // query heads
  nKvHeads: number; // key/value heads (GQA when < nHeads)
  headDim: number; // dim / nHeads for every format we read
  vocabSize: number;
  seqLen: number; // context length
  normEps: number; // RMSNorm epsilon
  ropeTheta: number;
  ropeScaling?: RopeScaling;
  /**
   * Per-pair divisors of the RoPE frequencies, [headDim/2] (GGUF's `rope_freqs.weight`, which llama.cpp
   * applies as theta / freq_factors[i]). Llama 3.x GGUFs carry their rope scaling this way; never set
   * together with ropeScaling.
   */
  ropeFreqFactors?: Float32Array;
  /** true when the classifier reuses the token embedding (`output` is the same array as `token_embd`). */
  sharedClassifier: boolean;
}

/** How a tensor was stored: a safetensors dtype or a ggml tensor type (all those wafer decodes). */
export type SourceDtype =
  | 'F32' | 'F16' | 'BF16'
  | 'Q4_0' | 'Q4_1' | 'Q5_0' | 'Q5_1' | 'Q8_0'
  | 'Q2_K' | 'Q3_K' | 'Q4_K' | 'Q5_K' | 'Q6_K'
  | 'IQ4_NL' | 'IQ4_XS';

/** One weight, dequantised to float32. shape is row-major, outermost first: a matrix is [rows=out, cols=in]. */
export interface Tensor {
  name: string;
  shape: number[];
  data: Float32Array;
  sourceDtype: SourceDtype;
}

export type CheckpointFormat = 'llama2c' | 'gguf' | 'safetensors';

/** Where the tokenizer comes from; resolved into a Tokenizer by `loadTokenizer`. */
export type TokenizerSource =
  | { kind: 'llama2c'; path: string } // tokenizer.bin / tok512.bin
  // pre: `tokenizer.ggml.pre` (byte-level pre-tokenizer name, e.g. 'llama-bpe'); absent means Llama 3's
  | { kind: 'gguf'; tokens: string[]; scores: Float32Array; tokenTypes?: Int32Array; bosId: number; eosId: number; model: string; merges?: string[]; pre?: string; path: string }
  | { kind: 'hf-json'; path: string }; // tokenizer.json

/** What a loader did: the file's own tensors and the memory it held. */
export interface LoadReport {
  /** Every tensor as the file stores it (file name, storage type), in file order. */
  fileTensors: Array<{ name: string; dtype: SourceDtype }>;
  /**
   * The largest number of bytes the loader held at once, by its own accounting of the buffers it
   * allocated: file bytes read and not yet released, decoded float32 tensors, one tensor's raw bytes.
   */
  peakBytes: number;
}

/**
 * A loaded checkpoint. Required tensors, all float32, all row-major [out, in]:
 *   token_embd [vocab, dim]; output_norm [dim]; output [vocab, dim] (same array as token_embd when shared);
 *   per layer N: blk.N.attn_norm [dim], blk.N.attn_q [nHeads*headDim, dim], blk.N.attn_k [nKvHeads*headDim, dim],
 *   blk.N.attn_v [nKvHeads*headDim, dim], blk.N.attn_output [dim, nHeads*headDim], blk.N.ffn_norm [dim],
 *   blk.N.ffn_gate [hidden, dim] (llama2.c w1), blk.N.ffn_down [dim, hidden] (w2), blk.N.ffn_up [hidden, dim] (w3).
 * RoPE is always applied to adjacent pairs (llama2.c / GGUF convention): loaders of Hugging Face checkpoints
 * undo the rotate-half permutation of q/k rows, so every format is numerically the same model.
 */
export interface ModelDescription {
  format: CheckpointFormat;
  path: string;
  config: LlamaConfig;
  tensors: Map<string, Tensor>;
  tokenizer?: TokenizerSource;
  /** Token ids of BOS/EOS as the checkpoint declares them (llama2.c: 1 and 2). */
  bosId: number;
  eosId: number;
  /** llama2.c-trained models stop on BOS as run.c does. */
  stopOnBos: boolean;
  /** Set by the file readers (absent for synthesized models). */
  load?: LoadReport;
  /** The checkpoint's Jinja chat template (GGUF `tokenizer.chat_template`, HF `tokenizer_config.json`), if any. */
  chatTemplate?: string;
}
