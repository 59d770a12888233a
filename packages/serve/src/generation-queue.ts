// The bounded FIFO in front of the mesh: batch 1, so one job runs while at most `maxQueue` wait. A waiting
// job whose client goes away leaves the queue at once; a running one stops at its next token.
import { invariant } from '@wafer/arch';
import type { GenerationJob, GenerationOutcome } from './generation-run.js';

/** Rejects a job whose client went away before it started. */
export class JobCancelledError extends Error {
  constructor() {
    super('the client closed the request before it started');
    this.name = 'JobCancelledError';
  }
}

interface Entry {
  job: GenerationJob;
  resolve: (outcome: GenerationOutcome) => void;
  reject: (err: unknown) => void;
  onAbort: () => void;
}

/** Smoothing of the mean wall service time (for Retry-After): weight of the newest job. */
const SERVICE_EWMA_WEIGHT = 0.2;

export class GenerationQueue {
  private readonly waiting: Entry[] = [];
  private running: Entry | undefined;
  private idleWaiters: (() => void)[] = [];
  private meanServiceS = 0;

  /** `run` executes one job (the GenerationRunner); `maxQueue` bounds the jobs waiting behind the running one. */
  constructor(
    private readonly run: (job: GenerationJob) => Promise<GenerationOutcome>,
    readonly maxQueue: number,
  ) {}

  /** Jobs waiting (not counting the running one). */
  get depth(): number {
    return this.waiting.length;
  }

  /** True while a job runs on the mesh. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** True when a new job would have to wait behind maxQueue others (the caller answers 429). */
  get full(): boolean {
    return this.running !== undefined && this.waiting.length >= this.maxQueue;
  }

  /** Seconds until a slot is likely free: the mean wall service time times the jobs ahead (at least 1). */
  retryAfterS(): number {
    return Math.max(1, Math.ceil(this.meanServiceS * (this.waiting.length + 1)));
  }

  /** Queues `job`; resolves with its outcome. The caller checks `full` first. */
  submit(job: GenerationJob): Promise<GenerationOutcome> {
    invariant(!this.full, 'submit() on a full queue');
    return new Promise<GenerationOutcome>((resolve, reject) => {
      const entry: Entry = {
        job,
        resolve,
        reject,
        onAbort: () => {
          const at = this.waiting.indexOf(entry);
          if (at < 0) return; // already running: the runner stops between tokens
          this.waiting.splice(at, 1);
          reject(new JobCancelledError());
          this.notifyIfIdle();
        },
      };
      if (job.signal.aborted) return reject(new JobCancelledError());
      job.signal.addEventListener('abort', entry.onAbort, { once: true });
      this.waiting.push(entry);
      this.pump();
    });
  }

  /** Rejects every waiting job with `err` (shutdown); the running one is left to finish or be aborted. */
  rejectWaiting(err: unknown): void {
    for (const entry of this.waiting.splice(0)) {
      entry.job.signal.removeEventListener('abort', entry.onAbort);
      entry.reject(err);
    }
    this.notifyIfIdle();
  }

  /** Resolves once nothing runs and nothing waits. */
  idle(): Promise<void> {
    if (this.running === undefined && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    if (this.running !== undefined) return;
    const entry = this.waiting.shift();
    if (entry === undefined) return this.notifyIfIdle();
    entry.job.signal.removeEventListener('abort', entry.onAbort);
    this.running = entry;
    const t0 = performance.now();
    this.run(entry.job).then(entry.resolve, entry.reject).finally(() => {
      const serviceS = (performance.now() - t0) / 1000;
      this.meanServiceS = this.meanServiceS === 0 ? serviceS : this.meanServiceS + SERVICE_EWMA_WEIGHT * (serviceS - this.meanServiceS);
      this.running = undefined;
      this.pump();
    });
  }

  private notifyIfIdle(): void {
    if (this.running !== undefined || this.waiting.length > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
