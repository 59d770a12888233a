// JSON schemas of the request bodies (checked by Fastify's ajv, with type coercion off): wrong types and
// out-of-range values are 400s naming the field before any handler code runs. Unknown fields are ignored,
// as OpenAI clients send extras; the unsupported ones that would change the output are rejected later.

const nullable = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });

/** Fields shared by /v1/completions and /v1/chat/completions. */
const SAMPLING_PROPERTIES = {
  model: { type: 'string' },
  max_tokens: nullable({ type: 'integer', minimum: 0 }),
  temperature: nullable({ type: 'number', minimum: 0, maximum: 2 }),
  top_p: nullable({ type: 'number', exclusiveMinimum: 0, maximum: 1 }),
  top_k: nullable({ type: 'integer', minimum: 0 }),
  seed: nullable({ type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
  stop: nullable({ anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 4 }] }),
  stream: nullable({ type: 'boolean' }),
  stream_options: nullable({ type: 'object', properties: { include_usage: { type: 'boolean' } } }),
  n: nullable({ type: 'integer', minimum: 1, maximum: 1 }),
  frequency_penalty: nullable({ type: 'number' }),
  presence_penalty: nullable({ type: 'number' }),
} as const;

/** POST /v1/completions: `prompt` is a string, a one-string list, or a list of token ids. */
export const COMPLETION_BODY = {
  type: 'object',
  required: ['prompt'],
  properties: {
    ...SAMPLING_PROPERTIES,
    prompt: {
      anyOf: [
        { type: 'string' },
        { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 1 },
        { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 1 },
      ],
    },
    best_of: nullable({ type: 'integer', minimum: 1, maximum: 1 }),
    echo: nullable({ type: 'boolean' }),
    logprobs: nullable({ type: 'integer' }),
    suffix: nullable({ type: 'string' }),
  },
} as const;

/** A message's content: a string or a list of text parts. */
const MESSAGE_CONTENT = {
  anyOf: [
    { type: 'string' },
    { type: 'array', items: { type: 'object', required: ['type', 'text'], properties: { type: { const: 'text' }, text: { type: 'string' } } } },
  ],
};

/** POST /v1/chat/completions. */
export const CHAT_BODY = {
  type: 'object',
  required: ['messages'],
  properties: {
    ...SAMPLING_PROPERTIES,
    max_completion_tokens: nullable({ type: 'integer', minimum: 0 }),
    messages: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['role', 'content'],
        properties: { role: { enum: ['system', 'developer', 'user', 'assistant'] }, content: MESSAGE_CONTENT, name: { type: 'string' } },
      },
    },
    logprobs: nullable({ type: 'boolean' }),
    tools: nullable({ type: 'array', maxItems: 0 }),
  },
} as const;

/** The body of a completion request as the schema admits it. */
export interface CompletionBody {
  model?: string;
  prompt: string | [string] | number[];
  max_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  top_k?: number | null;
  seed?: number | null;
  stop?: string | string[] | null;
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean } | null;
  frequency_penalty?: number | null;
  presence_penalty?: number | null;
  echo?: boolean | null;
  logprobs?: number | null;
  suffix?: string | null;
}

/** The body of a chat request as the schema admits it. */
export interface ChatBody extends Omit<CompletionBody, 'prompt' | 'echo' | 'logprobs' | 'suffix'> {
  messages: { role: 'system' | 'developer' | 'user' | 'assistant'; content: string | { type: 'text'; text: string }[] }[];
  max_completion_tokens?: number | null;
  logprobs?: boolean | null;
}
