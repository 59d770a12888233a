// What every command receives: the logger and the output streams (tests substitute their own).
import type { Logger } from './logger.js';

export interface Context {
  log: Logger;
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  verbose: boolean;
}
