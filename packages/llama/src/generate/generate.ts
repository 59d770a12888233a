// The engine-agnostic generation loop: feed the prompt (token by token, or in one batched prefill when the
// engine offers it), then sample new tokens until EOS, BOS (llama2.c models), maxNewTokens or a full context.
import { WaferError, invariant, usageError } from '@wafer/arch';
import type { LlamaConfig } from '../model/types.js';
import type { Sampler } from './sampler.js';

/** Anything that turns (token, position) into logits: the reference pass, the mesh emulator, ... */
export interface ForwardEngine {
  /** Runs `token` at `pos` (positions 0..pos-1 already processed) and returns logits [vocab]. */
  forward(token: number, pos: number): Float32Array | Promise<Float32Array>;
  /** Optional batched prefill: runs ids at positions 0..ids.length-1, returns the last position's logits [vocab]. */
  prefill?(ids: number[]): Float32Array | Promise<Float32Array>;
  readonly config: LlamaConfig;
}

export interface GenerateOptions {
  /** -n: how many NEW tokens at most (llama.cpp's meaning; run.c's -n counts positions, prompt included). */
  maxNewTokens: number;
  sampler: Sampler;
  eosId: number;
  bosId: number;
  /** Stop when BOS is sampled, as run.c does for llama2.c-trained models. */
  stopOnBos: boolean;
}

/** 'eos': the model ended the text (EOS, or BOS with stopOnBos); 'length': maxNewTokens or the context ran out. */
export type StopReason = 'eos' | 'length';
export type StopDetail = 'eos' | 'bos' | 'max-new-tokens' | 'context-full';

/** Wall-clock timings (performance.now), excluding time the consumer spends between events. */
export interface GenerationTimings {
  /** Prompt processing up to and including the first sampled token (time to first token). */
  promptMs: number;
  /** Everything after the first token: the decode forward passes and their samples. */
  decodeMs: number;
  promptForwardPasses: number; // positions processed before the first sample
  decodeForwardPasses: number; // positions processed after it
}

export interface GenerationResult {
  stopReason: StopReason;
  stopDetail: StopDetail;
  promptTokens: number[];
  /** Sampled tokens in order; the stop token (EOS/BOS) is not included. */
  generatedTokens: number[];
  forwardPasses: number;
  timings: GenerationTimings;
}

export type GenerationEvent =
  | { type: 'token'; id: number; index: number; pos: number } // index: 0-based among new tokens; pos: its position
  | { type: 'done'; result: GenerationResult };

/** Checks the prompt and -n against the engine before any forward pass. */
function checkRequest(config: LlamaConfig, promptIds: number[], maxNewTokens: number): void {
  if (!Number.isSafeInteger(maxNewTokens) || maxNewTokens < 0) {
    throw usageError(`-n must be an integer >= 0 (new tokens to generate), got ${String(maxNewTokens)}`);
  }
  if (promptIds.length === 0) throw usageError('the prompt has no tokens; encode it with BOS so generation has a first position');
  if (promptIds.length > config.seqLen) {
    throw new WaferError('PROMPT_TOO_LONG', `the prompt has ${promptIds.length} tokens but the model's context length is ${config.seqLen}`);
  }
  promptIds.forEach((id, i) => {
    if (!Number.isInteger(id) || id < 0 || id >= config.vocabSize) {
      throw new WaferError('TOKENIZER_MISMATCH', `prompt token ${i} has id ${id}, outside the model's vocabulary of ${config.vocabSize}`);
    }
  });
}

/**
 * Generates from `promptIds` (which must start the sequence at position 0; stale engine state beyond the
 * prompt is overwritten in order, so no reset is needed). Prompt tokens are forced, then every token is
 * sampled. Yields one 'token' event per new token and a final 'done' event. Throws PROMPT_TOO_LONG when the
 * prompt exceeds config.seqLen. Like run.c, the token sampled at the last context position is still emitted.
 */
export async function* generate(engine: ForwardEngine, promptIds: number[], options: GenerateOptions): AsyncGenerator<GenerationEvent> {
  const { seqLen } = engine.config;
  checkRequest(engine.config, promptIds, options.maxNewTokens);
  const promptTokens = [...promptIds];
  const generatedTokens: number[] = [];
  const timings: GenerationTimings = { promptMs: 0, decodeMs: 0, promptForwardPasses: 0, decodeForwardPasses: 0 };
  const finish = (stopReason: StopReason, stopDetail: StopDetail): GenerationEvent => ({
    type: 'done',
    result: { stopReason, stopDetail, promptTokens, generatedTokens, forwardPasses: timings.promptForwardPasses + timings.decodeForwardPasses, timings },
  });
  if (options.maxNewTokens === 0) {
    yield finish('length', 'max-new-tokens');
    return;
  }

  // prompt: positions 0..P-1, ending with the logits that predict position P
  let segmentStart = performance.now();
  let logits: Float32Array;
  if (engine.prefill !== undefined) {
    logits = await engine.prefill(promptTokens);
  } else {
    logits = new Float32Array(0);
    for (let pos = 0; pos < promptTokens.length; pos++) logits = await engine.forward(promptTokens[pos], pos);
  }
  timings.promptForwardPasses = promptTokens.length;

  let stop: [StopReason, StopDetail];
  for (;;) {
    const next = options.sampler.sample(logits);
    const now = performance.now();
    if (generatedTokens.length === 0) timings.promptMs = now - segmentStart;
    else timings.decodeMs += now - segmentStart;
    if (next === options.eosId) {
      stop = ['eos', 'eos'];
      break;
    }
    if (options.stopOnBos && next === options.bosId) {
      stop = ['eos', 'bos'];
      break;
    }

    const pos = promptTokens.length + generatedTokens.length; // the position `next` occupies
    generatedTokens.push(next);
    yield { type: 'token', id: next, index: generatedTokens.length - 1, pos };
    if (generatedTokens.length === options.maxNewTokens) {
      stop = ['length', 'max-new-tokens'];
      break;
    }
    if (pos >= seqLen) {
      stop = ['length', 'context-full'];
      break;
    }

    segmentStart = performance.now();
    logits = await engine.forward(next, pos);
    timings.decodeForwardPasses++;
  }
  yield finish(...stop);
}

/** Runs `generate` to the end and returns its result (the token events are dropped). */
export async function generateAll(engine: ForwardEngine, promptIds: number[], options: GenerateOptions): Promise<GenerationResult> {
  for await (const event of generate(engine, promptIds, options)) {
    if (event.type === 'done') return event.result;
  }
  invariant(false, 'generate() ended without a done event');
}
