// What every command receives: the logger, the output streams (tests substitute their own), and the signal
// that SIGINT or SIGTERM has interrupted it.
import type { Logger } from './logger.js';

export interface Context {
  log: Logger;
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  verbose: boolean;
  /**
   * Aborted (with an INTERRUPTED WaferError as its reason) when a signal stops the command: its worker threads
   * are already being terminated, so a command must not start new ones (check before creating an engine).
   */
  interrupted: AbortSignal;
}
