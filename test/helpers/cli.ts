// Runs the real `wafer` CLI in-process and captures what it writes.
import { main } from '@wafer/cli';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `wafer ...args`: exit code, stdout and stderr. */
export async function wafer(...args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}
