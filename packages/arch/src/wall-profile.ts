// Wall-clock diagnostics shared by the fabric (which switches them on per thread) and the local kernels (which
// add their time): where this machine spends a run, never part of any modeled figure.

/** This thread's wall-clock counters of the local kernels (arithmetic), while `enabled`. */
export interface LocalKernelClock {
  enabled: boolean;
  ms: number;
  calls: number;
}

/** One per thread (module state is per worker thread). */
export const localKernelClock: LocalKernelClock = { enabled: false, ms: 0, calls: 0 };
