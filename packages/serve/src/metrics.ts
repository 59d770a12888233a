// Prometheus metrics of one server (prom-client, on a registry of its own): requests by route and status,
// prompt and completion tokens, queue depth, and time to first token, queue wait and decode tok/s, each
// observed twice: clock="modeled" (the emulated chip) and clock="wall" (this machine).
import { Counter, Gauge, Histogram, Registry, exponentialBuckets } from 'prom-client';
import type { GenerationOutcome } from './generation-run.js';

/** Seconds from 1 µs (a modeled token) to about 4.7 minutes (a slow emulation under load). */
const SECONDS_BUCKETS = exponentialBuckets(1e-6, 4, 14);
/** Tokens per second from 1 (an emulated large mesh) to about 16.8M (a modeled small one). */
const TOK_S_BUCKETS = exponentialBuckets(1, 4, 13);

export class ServeMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'route' | 'status'>;
  private readonly cancelled: Counter;
  private readonly promptTokens: Counter;
  private readonly completionTokens: Counter;
  private readonly ttft: Histogram<'clock'>;
  private readonly queueWait: Histogram<'clock'>;
  private readonly decodeTokS: Histogram<'clock'>;

  /** `queue` is read at every scrape for the queue-depth and running gauges. */
  constructor(queue: { readonly depth: number; readonly busy: boolean }) {
    const registers = [this.registry];
    this.requests = new Counter({ name: 'wafer_requests_total', help: 'HTTP requests by route and status code (status "cancelled": the client closed the connection first)', labelNames: ['route', 'status'], registers });
    this.cancelled = new Counter({ name: 'wafer_generations_cancelled_total', help: 'Generations stopped because the client went away', registers });
    this.promptTokens = new Counter({ name: 'wafer_prompt_tokens_total', help: 'Prompt tokens processed (BOS included)', registers });
    this.completionTokens = new Counter({ name: 'wafer_completion_tokens_total', help: 'Tokens generated', registers });
    new Gauge({ name: 'wafer_queue_depth', help: 'Requests waiting for the mesh', registers, collect() { this.set(queue.depth); } });
    new Gauge({ name: 'wafer_requests_running', help: 'Requests running on the mesh (0 or 1: batch 1)', registers, collect() { this.set(queue.busy ? 1 : 0); } });
    this.ttft = new Histogram({ name: 'wafer_time_to_first_token_seconds', help: 'Time to first token, queue wait included', labelNames: ['clock'], buckets: SECONDS_BUCKETS, registers });
    this.queueWait = new Histogram({ name: 'wafer_queue_wait_seconds', help: 'Time a request waited for the mesh', labelNames: ['clock'], buckets: SECONDS_BUCKETS, registers });
    this.decodeTokS = new Histogram({ name: 'wafer_decode_tokens_per_second', help: 'Decode speed of a request (tokens after the first)', labelNames: ['clock'], buckets: TOK_S_BUCKETS, registers });
  }

  private readonly cancelledResponses = new WeakSet<object>();

  /** One answered request (`response`: the raw response; one counted as cancelled is not counted again). */
  request(route: string, status: number, response: object): void {
    if (!this.cancelledResponses.has(response)) this.requests.inc({ route, status: String(status) });
  }

  /** A request whose client closed the connection before its answer was complete. */
  requestCancelled(route: string, response: object): void {
    this.cancelledResponses.add(response);
    this.requests.inc({ route, status: 'cancelled' });
  }

  /** One generation that ran (to its end, a stop, or a cancellation). */
  generation(outcome: GenerationOutcome): void {
    this.promptTokens.inc(outcome.promptTokens);
    this.completionTokens.inc(outcome.completionTokens);
    if (outcome.cancelled) this.cancelled.inc();
    this.queueWait.observe({ clock: 'modeled' }, outcome.modeled.queueS);
    this.queueWait.observe({ clock: 'wall' }, outcome.wall.queueS);
    if (outcome.completionTokens > 0) {
      this.ttft.observe({ clock: 'modeled' }, outcome.modeled.ttftS);
      if (outcome.wall.ttftS !== null) this.ttft.observe({ clock: 'wall' }, outcome.wall.ttftS);
    }
    if (outcome.modeled.decodeTokS !== null) this.decodeTokS.observe({ clock: 'modeled' }, outcome.modeled.decodeTokS);
    if (outcome.wall.decodeTokS !== null) this.decodeTokS.observe({ clock: 'wall' }, outcome.wall.decodeTokS);
  }

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** Its content type. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
