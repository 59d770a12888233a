// OpenAI response objects for completions and chat (whole and streamed chunks), each with the `x_wafer`
// report: modeled and wall-clock timings of the request, and the mesh, machine and threads it ran on.
import { randomBytes } from 'node:crypto';
import type { FinishReason, GenerationOutcome } from './generation-run.js';

/** Which endpoint a response belongs to. */
export type Endpoint = 'completions' | 'chat';

/** The emulated chip a server runs, as reported in every x_wafer object. */
export interface ChipInfo {
  mesh: { rows: number; cols: number };
  machine: string;
  threads: number;
  clockHz: number;
}

/** Static fields of every response to one request. */
export interface ResponseHead {
  id: string;
  created: number;
  model: string;
}

/** A fresh response id and timestamp: `cmpl-…` or `chatcmpl-…`, 24 hex digits. */
export function responseHead(endpoint: Endpoint, model: string): ResponseHead {
  return { id: `${endpoint === 'chat' ? 'chatcmpl' : 'cmpl'}-${randomBytes(12).toString('hex')}`, created: Math.floor(Date.now() / 1000), model };
}

/** The x_wafer object: modeled figures of the emulated chip beside what this machine did. */
export function xWafer(outcome: GenerationOutcome, chip: ChipInfo): Record<string, unknown> {
  const m = outcome.modeled;
  const w = outcome.wall;
  return {
    mesh: chip.mesh,
    machine: chip.machine,
    threads: chip.threads,
    modeled: {
      arrival_s: m.arrivalS,
      queue_s: m.queueS,
      ttft_s: m.ttftS,
      prefill: m.prefill,
      prefill_cycles: m.prefillCycles,
      decode_tokens: m.decodeSteps,
      decode_cycles: m.decodeCycles,
      decode_cycles_per_token: m.decodeSteps > 0 ? m.decodeCycles / m.decodeSteps : null,
      decode_tok_s: m.decodeTokS,
      service_s: m.serviceS,
      finish_s: m.finishS,
    },
    wall: { queue_s: w.queueS, ttft_s: w.ttftS, decode_tok_s: w.decodeTokS, total_s: w.totalS },
  };
}

/** OpenAI's usage object. */
export function usage(outcome: GenerationOutcome): { prompt_tokens: number; completion_tokens: number; total_tokens: number } {
  return { prompt_tokens: outcome.promptTokens, completion_tokens: outcome.completionTokens, total_tokens: outcome.promptTokens + outcome.completionTokens };
}

/** The whole (non-streamed) response. */
export function fullResponse(endpoint: Endpoint, head: ResponseHead, outcome: GenerationOutcome, chip: ChipInfo): Record<string, unknown> {
  const choice =
    endpoint === 'chat'
      ? { index: 0, message: { role: 'assistant', content: outcome.text }, logprobs: null, finish_reason: outcome.finishReason }
      : { index: 0, text: outcome.text, logprobs: null, finish_reason: outcome.finishReason };
  return { ...head, object: endpoint === 'chat' ? 'chat.completion' : 'text_completion', choices: [choice], usage: usage(outcome), x_wafer: xWafer(outcome, chip) };
}

/**
 * One streamed chunk. `delta` text (chat: `{content}`; the first chat chunk also carries the role), or the
 * finishing chunk with `finish_reason` and the x_wafer report, or (choices empty) the usage chunk.
 */
export function streamChunk(
  endpoint: Endpoint,
  head: ResponseHead,
  part: { text: string; first?: boolean } | { finish: FinishReason; outcome: GenerationOutcome; chip: ChipInfo } | { usageOf: GenerationOutcome },
): Record<string, unknown> {
  const object = endpoint === 'chat' ? 'chat.completion.chunk' : 'text_completion';
  if ('usageOf' in part) return { ...head, object, choices: [], usage: usage(part.usageOf) };
  if ('finish' in part) {
    const choice = endpoint === 'chat' ? { index: 0, delta: {}, logprobs: null, finish_reason: part.finish } : { index: 0, text: '', logprobs: null, finish_reason: part.finish };
    return { ...head, object, choices: [choice], x_wafer: xWafer(part.outcome, part.chip) };
  }
  const delta = part.first ? { role: 'assistant', content: part.text } : { content: part.text };
  const choice = endpoint === 'chat' ? { index: 0, delta, logprobs: null, finish_reason: null } : { index: 0, text: part.text, logprobs: null, finish_reason: null };
  return { ...head, object, choices: [choice] };
}
