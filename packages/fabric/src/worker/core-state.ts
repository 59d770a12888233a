// Every core's modeled state in one Float64Array, a fixed stride per core: the fields a send or a receive
// updates sit together in two cache lines, instead of one line per field in a dozen arrays (on meshes of
// thousands of cores those misses dominated the time per message).

/** Doubles per core (128 bytes: two cache lines). */
export const CORE_STRIDE = 16;

// Offsets within a core's stride.
export const CLOCK = 0; // modeled cycle the core has reached
export const EGRESS_FREE = 1; // when its core-to-router link is free
export const INGRESS_FREE = 2; // when its router-to-core link is free
export const BUSY = 3; // cycles spent computing or streaming
export const WAIT = 4; // cycles spent waiting for messages
export const SENT_WORDS = 5;
export const RECV_WORDS = 6;
export const SENT_MESSAGES = 7;
export const RECV_MESSAGES = 8;
export const STREAMED = 9; // 1 after a streaming receive, until the relay's send
export const SENT_COLORS = 10; // bit mask of the colours whose route it registered in this run

/** The per-core counters a run reports, by name, at their offsets. */
export const COUNTER_FIELDS = {
  clock: CLOCK,
  busyCycles: BUSY,
  waitCycles: WAIT,
  sentWords: SENT_WORDS,
  recvWords: RECV_WORDS,
  sentMessages: SENT_MESSAGES,
  recvMessages: RECV_MESSAGES,
} as const;

/** A fresh state for n cores at the start of a run. */
export function resetCoreState(s: Float64Array): void {
  s.fill(0);
}

/** One field of every core, as its own array (for the counters). */
export function coreField(s: Float64Array, n: number, offset: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = s[i * CORE_STRIDE + offset];
  return out;
}
