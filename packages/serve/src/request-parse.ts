// From a schema-checked request body to what the generation loop needs: prompt ids, the token budget,
// the sampler and stop strings. Context limits and unsupported options are 400s naming the field.
import { randomInt } from 'node:crypto';
import { Sampler, type LlamaConfig, type Tokenizer } from '@wafer/llama';
import { badField } from './api-error.js';
import type { ChatFormatter, ChatMessage } from './chat-prompt.js';
import type { ChatBody, CompletionBody } from './request-schema.js';

/** Server-wide sampling defaults (the `wafer serve --temp/--top-p/--top-k/--seed` flags). */
export interface SamplingDefaults {
  temperature: number;
  topP: number;
  topK: number;
  /** Without it a request that names no seed draws a random one. */
  seed?: number;
}

/** What the model and tokenizer impose on every request. */
export interface RequestContext {
  tokenizer: Tokenizer;
  config: LlamaConfig;
  defaults: SamplingDefaults;
}

/** One generation, ready to queue. */
export interface GenerationRequest {
  promptIds: number[];
  maxNewTokens: number;
  sampler: Sampler;
  stops: string[];
  stream: boolean;
  /** stream_options.include_usage: a last chunk carries `usage`. */
  includeUsage: boolean;
}

/** OpenAI's default max_tokens for /v1/completions. */
const COMPLETIONS_DEFAULT_MAX_TOKENS = 16;

/** POST /v1/completions. */
export function parseCompletion(body: CompletionBody, ctx: RequestContext): GenerationRequest {
  if (body.echo === true) throw badField('echo', 'echo is not supported');
  if (body.logprobs !== undefined && body.logprobs !== null) throw badField('logprobs', 'logprobs is not supported');
  if (body.suffix) throw badField('suffix', 'suffix is not supported');
  const prompt = body.prompt;
  let promptIds: number[];
  if (typeof prompt === 'string') promptIds = ctx.tokenizer.encode(prompt, { bos: true });
  else if (typeof prompt[0] === 'string') promptIds = ctx.tokenizer.encode(prompt[0], { bos: true });
  else {
    promptIds = prompt as number[];
    const bad = promptIds.find((id) => id >= ctx.config.vocabSize);
    if (bad !== undefined) throw badField('prompt', `prompt token id ${bad} is outside the model's vocabulary of ${ctx.config.vocabSize}`);
  }
  return finishRequest(body, promptIds, 'prompt', body.max_tokens, 'max_tokens', COMPLETIONS_DEFAULT_MAX_TOKENS, [], ctx);
}

/** POST /v1/chat/completions: messages flattened by `chat` (the checkpoint's template or the plain one). */
export function parseChat(body: ChatBody, ctx: RequestContext, chat: ChatFormatter): GenerationRequest {
  if (body.logprobs === true) throw badField('logprobs', 'logprobs is not supported');
  const messages: ChatMessage[] = body.messages.map((m) => ({
    role: m.role,
    content: typeof m.content === 'string' ? m.content : m.content.map((part) => part.text).join(''),
  }));
  const prompt = chat.format(messages);
  const promptIds = ctx.tokenizer.encode(prompt.text, { bos: true });
  const [maxTokens, field] = body.max_completion_tokens !== undefined && body.max_completion_tokens !== null ? [body.max_completion_tokens, 'max_completion_tokens'] : [body.max_tokens, 'max_tokens'];
  return finishRequest(body, promptIds, 'messages', maxTokens, field, Infinity, prompt.stops, ctx);
}

/** Checks the prompt and token budget against the context, and builds the sampler and stop list. */
function finishRequest(
  body: CompletionBody | ChatBody,
  promptIds: number[],
  promptField: string,
  maxTokens: number | null | undefined,
  maxTokensField: string,
  defaultMaxTokens: number,
  templateStops: string[],
  ctx: RequestContext,
): GenerationRequest {
  for (const field of ['frequency_penalty', 'presence_penalty'] as const) {
    const v = body[field];
    if (v !== undefined && v !== null && v !== 0) throw badField(field, `${field} is not supported (wafer samples with temperature, top_p and top_k)`);
  }
  const seqLen = ctx.config.seqLen;
  if (promptIds.length > seqLen) {
    throw badField(promptField, `the prompt has ${promptIds.length} tokens but the model's context length is ${seqLen}`, 'context_length_exceeded');
  }
  const room = seqLen - promptIds.length;
  if (maxTokens !== undefined && maxTokens !== null && maxTokens > room) {
    throw badField(maxTokensField, `${maxTokensField} is ${maxTokens}, but the model's context of ${seqLen} tokens leaves ${room} after the ${promptIds.length}-token prompt`, 'context_length_exceeded');
  }
  const d = ctx.defaults;
  const sampler = new Sampler({
    temperature: body.temperature ?? d.temperature,
    topP: body.top_p ?? d.topP,
    topK: body.top_k ?? d.topK,
    seed: body.seed ?? d.seed ?? randomInt(1, 2 ** 47),
  });
  const stop = body.stop ?? [];
  return {
    promptIds,
    maxNewTokens: maxTokens ?? Math.min(defaultMaxTokens, room),
    sampler,
    stops: [...(typeof stop === 'string' ? [stop] : stop), ...templateStops],
    stream: body.stream === true,
    includeUsage: body.stream_options?.include_usage === true,
  };
}
