// The one root logger: pino writing JSON lines to stderr, so stdout stays clean for text and --json.
import { pino, type Logger } from 'pino';

export type { Logger };

/** Builds the root logger. `verbose` lowers the level to debug. */
export function createLogger(options: { verbose: boolean; level?: string }): Logger {
  const level = options.level ?? (options.verbose ? 'debug' : 'warn');
  return pino({ name: 'wafer', level, base: undefined }, pino.destination({ fd: 2, sync: true }));
}
