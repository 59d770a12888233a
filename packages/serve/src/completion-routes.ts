// POST /v1/completions and /v1/chat/completions: parse, queue (429 when full), then answer with one JSON
// object or a server-sent event stream. A client that disconnects aborts its job: a waiting job leaves the
// queue, a running one stops at its next token and frees the mesh.
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ApiError } from './api-error.js';
import type { ChatFormatter } from './chat-prompt.js';
import { JobCancelledError, type GenerationQueue } from './generation-queue.js';
import type { GenerationJob, GenerationOutcome } from './generation-run.js';
import type { ServeMetrics } from './metrics.js';
import { parseChat, parseCompletion, type GenerationRequest, type RequestContext } from './request-parse.js';
import { CHAT_BODY, COMPLETION_BODY, type ChatBody, type CompletionBody } from './request-schema.js';
import { fullResponse, responseHead, streamChunk, type ChipInfo, type Endpoint, type ResponseHead } from './responses.js';
import type { ModeledServingClock } from './serving-clock.js';

/** Why a job was aborted: its client left, or the server is shutting down. */
export type AbortReason = 'client' | 'shutdown';

/** What the completion routes share with the server. */
export interface CompletionDeps {
  queue: GenerationQueue;
  clock: ModeledServingClock;
  /** The wall clock (ms) whose readings are mapped onto the modeled timeline. */
  nowMs: () => number;
  chip: ChipInfo;
  modelId: string;
  context: RequestContext;
  chat: ChatFormatter;
  metrics: ServeMetrics;
  /** Why new work is refused (503), or undefined while the server accepts it. */
  refusal: () => ApiError | undefined;
  /** Abort controllers of every queued or running job (shutdown aborts them). */
  jobs: Set<AbortController>;
}

/** The 503 of a job the server gave up on at shutdown. */
export const SHUTTING_DOWN = (): ApiError => new ApiError(503, 'the server is shutting down', 'server_error', 'shutting_down');

/** Registers both completion endpoints on `app`. */
export function registerCompletionRoutes(app: FastifyInstance, deps: CompletionDeps): void {
  app.post<{ Body: CompletionBody }>('/v1/completions', { schema: { body: COMPLETION_BODY } }, async (request, reply) =>
    answer('completions', '/v1/completions', parseCompletion(request.body, deps.context), reply, deps),
  );
  app.post<{ Body: ChatBody }>('/v1/chat/completions', { schema: { body: CHAT_BODY } }, async (request, reply) =>
    answer('chat', '/v1/chat/completions', parseChat(request.body, deps.context, deps.chat), reply, deps),
  );
}

async function answer(endpoint: Endpoint, route: string, generation: GenerationRequest, reply: FastifyReply, deps: CompletionDeps): Promise<unknown> {
  const refusal = deps.refusal();
  if (refusal !== undefined) throw refusal;
  if (deps.queue.full) {
    reply.header('retry-after', String(deps.queue.retryAfterS()));
    throw new ApiError(429, `the mesh is busy and its queue is full (${deps.queue.depth} of ${deps.queue.maxQueue} requests waiting); retry later`, 'rate_limit_error', 'queue_full');
  }
  const abort = new AbortController();
  deps.jobs.add(abort);
  reply.raw.on('close', () => {
    deps.jobs.delete(abort);
    if (reply.raw.writableFinished) return;
    abort.abort('client' satisfies AbortReason);
    deps.metrics.requestCancelled(route, reply.raw);
  });
  const job: GenerationJob = { request: generation, arrivalWallMs: performance.now(), arrivalS: deps.clock.arrivalOf(deps.nowMs()), signal: abort.signal };
  const head = responseHead(endpoint, deps.modelId);
  if (generation.stream) return stream(endpoint, head, job, reply, deps);

  let outcome: GenerationOutcome;
  try {
    outcome = await deps.queue.submit(job);
  } catch (err) {
    if (err instanceof JobCancelledError) return reply.code(499).send(); // nobody is listening
    throw err;
  }
  deps.metrics.generation(outcome);
  if (outcome.cancelled && abort.signal.reason === 'shutdown') throw SHUTTING_DOWN();
  return fullResponse(endpoint, head, outcome, deps.chip);
}

/** Answers with server-sent events: text deltas as they are generated, a finishing chunk with x_wafer, [DONE]. */
function stream(endpoint: Endpoint, head: ResponseHead, job: GenerationJob, reply: FastifyReply, deps: CompletionDeps): FastifyReply {
  const events = new PassThrough();
  const send = (data: unknown) => {
    if (!events.destroyed && !events.writableEnded) events.write(`data: ${JSON.stringify(data)}\n\n`);
  };
  const end = () => {
    if (!events.destroyed && !events.writableEnded) events.end('data: [DONE]\n\n');
  };
  if (endpoint === 'chat') send(streamChunk(endpoint, head, { text: '', first: true }));
  job.onText = (text) => send(streamChunk(endpoint, head, { text }));
  deps.queue.submit(job).then(
    (outcome) => {
      deps.metrics.generation(outcome);
      if (outcome.cancelled && job.signal.reason === 'shutdown') send(SHUTTING_DOWN().body());
      else if (!outcome.cancelled) {
        send(streamChunk(endpoint, head, { finish: outcome.finishReason, outcome, chip: deps.chip }));
        if (job.request.includeUsage) send(streamChunk(endpoint, head, { usageOf: outcome }));
      }
      end();
    },
    (err: unknown) => {
      if (!(err instanceof JobCancelledError)) {
        const error = err instanceof ApiError ? err : new ApiError(500, `internal error: ${(err as Error)?.message ?? String(err)}`, 'server_error', 'internal_error');
        if (error.status === 500) reply.log.error({ err }, 'generation failed');
        send(error.body());
      }
      end();
    },
  );
  return reply.header('content-type', 'text/event-stream; charset=utf-8').header('cache-control', 'no-cache').header('x-accel-buffering', 'no').send(events);
}
