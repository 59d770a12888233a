// The OpenAI-compatible server of one placed model (Fastify): builds the queue, the modeled serving clock
// and the metrics, registers the routes, and shuts down in order: stop accepting, answer waiting requests
// 503, let the running one finish (aborting it after a grace period), then resolve. The caller owns the engine.
import { fastify, LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { WaferError } from '@wafer/arch';
import type { MeshLlama, ModelDescription, Tokenizer } from '@wafer/llama';
import { ApiError } from './api-error.js';
import { BearerAuth } from './auth.js';
import { ChatFormatter } from './chat-prompt.js';
import { registerCompletionRoutes, SHUTTING_DOWN, type AbortReason } from './completion-routes.js';
import { BODY_LIMIT_BYTES, toApiError } from './error-reply.js';
import { GenerationQueue } from './generation-queue.js';
import { GenerationRunner } from './generation-run.js';
import { registerInfoRoutes } from './info-routes.js';
import { ServeMetrics } from './metrics.js';
import type { SamplingDefaults } from './request-parse.js';
import type { ChipInfo } from './responses.js';
import { ModeledServingClock } from './serving-clock.js';

export interface ServeOptions {
  /** The placed model (MeshLlama.create); the server runs it but does not close it. */
  engine: MeshLlama;
  model: ModelDescription;
  tokenizer: Tokenizer;
  /** The id /v1/models lists and every response names. */
  modelId: string;
  /** Default 127.0.0.1 (this machine only). */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Requests that may wait behind the running one before new ones get 429 (default 16). */
  maxQueue?: number;
  /** When set, every /v1 route needs `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Sampling for requests that do not say (default: temperature 1, top_p 0.9, top_k 0, a random seed). */
  defaults?: SamplingDefaults;
  logger?: FastifyBaseLogger;
  /** The wall clock (ms) mapped onto the modeled timeline (default performance.now; tests pin it). */
  nowMs?: () => number;
  /** Modeled seconds per wall second of arrival time (default 1; see ModeledServingClock). */
  arrivalScale?: number;
  /** How long close() lets the running request finish before aborting it (default 10 s). */
  shutdownGraceMs?: number;
}

/** How long after the grace period close() waits for responses to end before cutting their connections. */
const CLOSE_SLACK_MS = 3_000;

export const DEFAULT_SAMPLING: SamplingDefaults = { temperature: 1, topP: 0.9, topK: 0 };

/** Whether the server takes new work: not once shutdown began, nor after the mesh engine failed. */
class ServerState {
  closing = false;
  failure: Error | undefined;

  /** The 503 for new work, or undefined while it is accepted. */
  refusal(): ApiError | undefined {
    if (this.failure) return new ApiError(503, `the mesh engine failed: ${this.failure.message}`, 'server_error', 'engine_failed');
    return this.closing ? SHUTTING_DOWN() : undefined;
  }

  /** What /health reports. */
  status(): { status: 'ok' | 'shutting_down' | 'failed'; error?: string } {
    if (this.failure) return { status: 'failed', error: this.failure.message };
    return this.closing ? { status: 'shutting_down' } : { status: 'ok' };
  }
}

export class WaferServer {
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly app: FastifyInstance,
    private readonly state: ServerState,
    /** The queue in front of the mesh (depth, busy). */
    readonly queue: GenerationQueue,
    readonly metrics: ServeMetrics,
    readonly chip: ChipInfo,
    private readonly jobs: Set<AbortController>,
    private readonly responses: ResponseTracker,
    private readonly graceMs: number,
    /** http://host:port */
    readonly url: string,
  ) {}

  /** Builds the server and starts listening; resolves once it accepts connections. */
  static async start(options: ServeOptions): Promise<WaferServer> {
    const { engine, model, tokenizer } = options;
    const nowMs = options.nowMs ?? (() => performance.now());
    const machine = engine.fabric.machine;
    const chip: ChipInfo = { mesh: { rows: engine.fabric.mesh.rows, cols: engine.fabric.mesh.cols }, machine: machine.name, threads: engine.fabric.threads, clockHz: machine.clockHz };
    const clock = new ModeledServingClock(machine.clockHz, nowMs(), options.arrivalScale ?? 1);
    const runner = new GenerationRunner(engine, model, tokenizer, clock);
    const jobs = new Set<AbortController>();
    const state = new ServerState();
    const queue = new GenerationQueue(async (job) => {
      try {
        return await runner.run(job);
      } catch (err) {
        state.failure ??= err as Error; // the fabric is gone: refuse new work
        throw err;
      }
    }, options.maxQueue ?? 16);
    const metrics = new ServeMetrics(queue);
    const app = fastify({
      ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
      logController: new LogController({ disableRequestLogging: true }),
      bodyLimit: BODY_LIMIT_BYTES,
      ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false } },
    });
    app.removeContentTypeParser('text/plain'); // bodies are JSON only: anything else is a 415
    const responses = new ResponseTracker();
    installHooks(app, metrics, responses, options.apiKey);
    registerInfoRoutes(app, {
      queue,
      metrics,
      chip,
      modelId: options.modelId,
      created: Math.floor(Date.now() / 1000),
      status: () => state.status(),
    });
    const chat = new ChatFormatter(model.chatTemplate, tokenizer.piece(tokenizer.bosId), tokenizer.piece(tokenizer.eosId));
    const context = { tokenizer, config: model.config, defaults: options.defaults ?? DEFAULT_SAMPLING };
    registerCompletionRoutes(app, { queue, clock, nowMs, chip, modelId: options.modelId, context, chat, metrics, refusal: () => state.refusal(), jobs });
    const host = options.host ?? '127.0.0.1';
    try {
      await app.listen({ host, port: options.port ?? 8080 });
    } catch (err) {
      await app.close();
      const e = err as NodeJS.ErrnoException;
      const why = e.code === 'EADDRINUSE' ? 'the address is already in use (choose another --port)' : e.message;
      throw new WaferError('LISTEN_FAILED', `cannot listen on ${host}:${options.port ?? 8080}: ${why}`);
    }
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : options.port;
    return new WaferServer(app, state, queue, metrics, chip, jobs, responses, options.shutdownGraceMs ?? 10_000, `http://${host.includes(':') ? `[${host}]` : host}:${port}`);
  }

  /** The TCP port the server listens on. */
  get port(): number {
    return Number(new URL(this.url).port);
  }

  /**
   * Graceful shutdown: stops accepting, answers waiting requests 503, lets the running one finish for up to
   * the grace period (then aborts it at its next token), and resolves once every response has ended.
   * `immediately` aborts the running request at once (a second Ctrl-C).
   */
  close(immediately = false): Promise<void> {
    if (immediately) this.abortAll();
    this.closing ??= (async () => {
      this.state.closing = true;
      this.queue.rejectWaiting(SHUTTING_DOWN());
      const timer = setTimeout(() => this.abortAll(), this.graceMs);
      const closed = this.app.close(); // stops listening; waits for every connection to end
      let deadline: NodeJS.Timeout | undefined;
      try {
        // Every job ends within the grace period (then it is aborted at its next token); a response that
        // still has not ended a few seconds later (a client that never finishes sending its body) is cut.
        await Promise.race([
          this.queue.idle().then(() => this.responses.settled()),
          new Promise((resolve) => (deadline = setTimeout(resolve, this.graceMs + CLOSE_SLACK_MS))),
        ]);
      } finally {
        clearTimeout(timer);
        clearTimeout(deadline);
      }
      // What is left are keep-alive connections, some of which Node does not count as idle: closing them
      // now ends the wait for the clients' own keep-alive timeouts.
      this.app.server.closeAllConnections();
      await closed;
    })();
    return this.closing;
  }

  private abortAll(): void {
    for (const job of this.jobs) job.abort('shutdown' satisfies AbortReason);
  }
}

/** Counts responses not yet ended (finished, or their connection closed). */
class ResponseTracker {
  private open = 0;
  private waiters: (() => void)[] = [];

  /** Counts `res` until it closes. */
  track(res: { once(event: 'close', listener: () => void): unknown }): void {
    this.open++;
    res.once('close', () => {
      this.open--;
      if (this.open === 0) for (const resolve of this.waiters.splice(0)) resolve();
    });
  }

  /** Resolves once no response is open. */
  settled(): Promise<void> {
    return this.open === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}

/** Metrics of every answered request, the API-key check on /v1, and OpenAI-style errors and 404s. */
function installHooks(app: FastifyInstance, metrics: ServeMetrics, responses: ResponseTracker, apiKey: string | undefined): void {
  app.addHook('onRequest', async (_request, reply) => {
    responses.track(reply.raw);
  });
  app.addHook('onResponse', async (request, reply) => {
    metrics.request(request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.raw);
  });
  if (apiKey !== undefined) {
    const auth = new BearerAuth(apiKey);
    app.addHook('onRequest', async (request, reply) => {
      // The matched route, not the raw URL: an encoded path (`/%761/models`) cannot slip past the check.
      if (!(request.routeOptions.url ?? '').startsWith('/v1/')) return;
      if (auth.accepts(request.headers.authorization)) return;
      reply.header('www-authenticate', 'Bearer');
      throw new ApiError(401, 'missing or wrong API key: send the header Authorization: Bearer <key>', 'invalid_request_error', 'invalid_api_key');
    });
  }
  app.setErrorHandler((err, request, reply) => {
    const { error, internal } = toApiError(err);
    if (internal) request.log.error({ err }, 'request failed');
    return reply.code(error.status).send(error.body());
  });
  app.setNotFoundHandler((request, reply) => {
    const error = new ApiError(404, `no route ${request.method} ${request.url.split('?')[0]}`, 'not_found_error', 'not_found');
    return reply.code(404).send(error.body());
  });
}
