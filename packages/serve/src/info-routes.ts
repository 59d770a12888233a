// GET /health (answers while the mesh is busy: the emulator runs on worker threads), GET /metrics
// (Prometheus text) and GET /v1/models (the one placed model).
import type { FastifyInstance } from 'fastify';
import type { GenerationQueue } from './generation-queue.js';
import type { ServeMetrics } from './metrics.js';
import type { ChipInfo } from './responses.js';

/** What the info routes read. */
export interface InfoDeps {
  queue: GenerationQueue;
  metrics: ServeMetrics;
  chip: ChipInfo;
  modelId: string;
  created: number;
  /** 'ok', 'shutting_down' or 'failed' (with the engine's error). */
  status: () => { status: 'ok' | 'shutting_down' | 'failed'; error?: string };
}

export function registerInfoRoutes(app: FastifyInstance, deps: InfoDeps): void {
  app.get('/health', async (_request, reply) => {
    const s = deps.status();
    reply.code(s.status === 'ok' ? 200 : 503);
    return { ...s, model: deps.modelId, ...deps.chip, queue: { waiting: deps.queue.depth, running: deps.queue.busy ? 1 : 0, max: deps.queue.maxQueue } };
  });
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', deps.metrics.contentType);
    return deps.metrics.text();
  });
  app.get('/v1/models', async () => ({
    object: 'list',
    data: [{ id: deps.modelId, object: 'model', created: deps.created, owned_by: 'wafer' }],
  }));
}
