// Runs the real `wafer` CLI in-process and captures what it writes.
import { main, type MainOptions } from '@wafer/cli';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `wafer ...args`: exit code, stdout and stderr. */
export async function wafer(...args: string[]): Promise<CliResult> {
  return waferWith(args);
}

/** What waferWith adds: when stdout was last written to and when the command returned (performance.now()). */
export interface TimedCliResult extends CliResult {
  lastStdoutAt: number;
  endedAt: number;
}

/** `wafer ...args` with main's options (signals) and a callback on every stdout write. */
export async function waferWith(args: string[], options: MainOptions & { onStdout?: (s: string) => void } = {}): Promise<TimedCliResult> {
  let stdout = '';
  let stderr = '';
  let lastStdoutAt = performance.now();
  const io = {
    stdout: { write: (s: string) => { stdout += s; lastStdoutAt = performance.now(); options.onStdout?.(s); } },
    stderr: { write: (s: string) => (stderr += s) },
  };
  const code = await main(args, io, options);
  return { code, stdout, stderr, lastStdoutAt, endedAt: performance.now() };
}
