// How long this thread was ready to run but waited for a CPU (the scheduler's run queue), from Linux's
// /proc/thread-self/schedstat, for `--profile-wall`. Only that second number is used: see ThreadCpu.

import { closeSync, openSync, readSync } from 'node:fs';

const SCHEDSTAT = '/proc/thread-self/schedstat';

/**
 * A reader of the calling thread's run-queue time. On a machine with as many cores as the fabric has threads, that
 * is time the host gave to something else: the coordinator, the JavaScript engine's background threads (its
 * optimising compiler, the collector) or other processes. The file's first number, the time on a CPU, is not used:
 * the kernel brings it up to date only at its ticks and context switches, so a read in the middle of a time slice
 * misses up to a tick (1–4 ms, against runs of a few ms); a wait in the run queue is added whole when it ends.
 */
export class ThreadCpu {
  private readonly buf = Buffer.alloc(96);
  /** The last successful read: ms the thread has waited for a CPU since it started. */
  runQueueMs = 0;

  private constructor(private readonly fd: number) {}

  /**
   * A reader for the calling thread, or null where the file is missing or unreadable (not Linux), or where the
   * kernel keeps no scheduler statistics (it then reports 0 time slices for a thread that is running).
   */
  static open(): ThreadCpu | null {
    let fd: number;
    try {
      fd = openSync(SCHEDSTAT, 'r');
    } catch {
      return null;
    }
    const cpu = new ThreadCpu(fd);
    const first = cpu.fields();
    if (first === null || first[2] === 0) {
      closeSync(fd);
      return null;
    }
    cpu.runQueueMs = first[1] / 1e6;
    return cpu;
  }

  /** Reads the current total into runQueueMs; false (and runQueueMs unchanged) if the read failed. */
  read(): boolean {
    const t = this.fields();
    if (t === null) return false;
    this.runQueueMs = t[1] / 1e6;
    return true;
  }

  private fields(): [number, number, number] | null {
    let n: number;
    try {
      n = readSync(this.fd, this.buf, 0, this.buf.length, 0);
    } catch {
      return null;
    }
    return parseSchedstat(this.buf, n);
  }
}

/** The three numbers of a schedstat line ("<ns on a CPU> <ns waiting for one> <time slices>"), or null. */
export function parseSchedstat(bytes: Uint8Array, length: number): [number, number, number] | null {
  const out: number[] = [];
  let i = 0;
  while (out.length < 3) {
    while (i < length && bytes[i] === 0x20) i++;
    let v = 0;
    let digits = 0;
    while (i < length && bytes[i] >= 0x30 && bytes[i] <= 0x39) {
      v = v * 10 + (bytes[i] - 0x30);
      digits++;
      i++;
    }
    if (digits === 0) return null;
    out.push(v);
  }
  return [out[0], out[1], out[2]];
}
