// The emulated chip's own serving timeline (batch 1, FIFO): a request arrives at its wall-clock arrival
// mapped to modeled time, waits until the modeled chip is free, then holds it for its modeled mesh cycles.

/** Where one request sits on the modeled timeline (seconds since the server became ready). */
export interface ModeledSlot {
  /** Modeled arrival: the wall-clock arrival, in seconds after the server's origin (times the arrival scale). */
  arrivalS: number;
  /** When the modeled chip starts the request: max(arrival, the previous request's modeled finish). */
  startS: number;
  /** startS - arrivalS: the queueing a real chip would impose under this arrival pattern. */
  queueS: number;
}

/**
 * The modeled serving clock. Rule: arrival_i = (wall arrival_i - origin) · scale (scale 1: one wall second is
 * one modeled second); start_i = max(arrival_i, finish_{i-1}); finish_i = start_i + cycles_i / clockHz, where cycles_i are
 * the modeled cycles of every mesh run of request i (prefill and decode steps, also when it was cancelled).
 * Requests are started in queue order, so a modeled latency depends only on the arrival times and the
 * modeled service times, never on how fast this machine emulates.
 */
export class ModeledServingClock {
  private freeAtS = 0;

  /**
   * `clockHz`: the machine's core clock; `originWallMs`: the wall time (ms) that maps to modeled 0;
   * `arrivalScale`: modeled seconds per wall second between arrivals (below 1 replays the arrival pattern
   * faster, as if clients sent at a rate the emulator cannot sustain).
   */
  constructor(
    readonly clockHz: number,
    readonly originWallMs: number,
    readonly arrivalScale = 1,
  ) {}

  /** The modeled arrival time (s) of a request that arrived at wall time `wallMs`. */
  arrivalOf(wallMs: number): number {
    return Math.max(0, ((wallMs - this.originWallMs) / 1000) * this.arrivalScale);
  }

  /** Starts the next request in queue order; it arrived at modeled time `arrivalS`. */
  start(arrivalS: number): ModeledSlot {
    const startS = Math.max(arrivalS, this.freeAtS);
    this.freeAtS = startS; // the chip is taken from here until finish()
    return { arrivalS, startS, queueS: startS - arrivalS };
  }

  /** Ends the request started at `slot` after `busyCycles` modeled cycles; returns its modeled finish (s). */
  finish(slot: ModeledSlot, busyCycles: number): number {
    this.freeAtS = slot.startS + busyCycles / this.clockHz;
    return this.freeAtS;
  }

  /** The modeled time (s) at which the chip becomes free. */
  get freeAt(): number {
    return this.freeAtS;
  }
}
