// How long this thread was ready to run but waited for a CPU (in the scheduler's run queue), from Linux's
// /proc/thread-self/schedstat (`--profile-wall`). On a machine with as many cores as the fabric has threads, that
// is time the host gave to something else: the coordinator, the JavaScript engine's background threads (its
// optimising compiler, the collector) or other processes. The file's first number, the time on a CPU, is not used:
// the kernel brings it up to date only at its ticks and context switches, so a read in the middle of a time slice
// misses up to a tick (1-4 ms, against runs of a few ms); a wait in the run queue is added whole when it ends.

import { closeSync, openSync, readSync } from 'node:fs';

const SCHEDSTAT = '/proc/thread-self/schedstat';

export class ThreadCpu {
  private readonly buf = Buffer.alloc(96);
  /** The last read: ms the thread has waited for a CPU since it started. */
  runQueueMs = 0;

  private constructor(private readonly fd: number) {}

  /** A reader for the calling thread, or null where the file is missing or unreadable (not Linux, no schedstat). */
  static open(): ThreadCpu | null {
    let fd: number;
    try {
      fd = openSync(SCHEDSTAT, 'r');
    } catch {
      return null;
    }
    const cpu = new ThreadCpu(fd);
    if (!cpu.read()) {
      closeSync(fd);
      return null;
    }
    return cpu;
  }

  /** Reads the current total into runQueueMs; false if the file did not hold two numbers. */
  read(): boolean {
    let n: number;
    try {
      n = readSync(this.fd, this.buf, 0, this.buf.length, 0);
    } catch {
      return false;
    }
    const t = parseSchedstat(this.buf, n);
    if (t === null) return false;
    this.runQueueMs = t[1] / 1e6;
    return true;
  }
}

/** The first two numbers of a schedstat line ("<ns on a CPU> <ns waiting> <timeslices>"), or null. */
export function parseSchedstat(bytes: Uint8Array, length: number): [number, number] | null {
  const out: number[] = [];
  let i = 0;
  while (out.length < 2) {
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
  return [out[0], out[1]];
}
