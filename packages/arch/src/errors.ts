// Typed errors with stable codes, shared by every package, and the one invariant() helper.
// The CLI maps `usage` errors to exit code 2 and everything else to exit code 1.

/** Stable error codes. Add new ones at the end; never rename one. */
export type ErrorCode =
  | 'USAGE' // a bad flag or flag value
  | 'FILE_NOT_FOUND'
  | 'FILE_TRUNCATED' // the file is shorter than its header says
  | 'BAD_MAGIC'
  | 'BAD_HEADER' // a header field is absurd or inconsistent
  | 'UNSUPPORTED' // a valid file that uses something wafer does not support (dtype, architecture)
  | 'MISSING_TENSOR'
  | 'TOKENIZER_MISMATCH'
  | 'PROMPT_TOO_LONG'
  | 'BAD_CONFIG' // a machine preset or config file with a bad field
  | 'SRAM_OVERFLOW'
  | 'ROUTE_BUDGET'
  | 'ROUTE_CONFLICT'
  | 'CORE_FAILED'
  | 'WORKER_FAILED'
  | 'DEADLOCK'
  | 'HOST_FAILED' // a tile host disconnected, died or could not set up its tiles
  | 'HOST_REFUSED' // a tile host refused the coordinator (protocol version, secret, busy)
  | 'MESH_TOO_LARGE'
  | 'DOES_NOT_FIT'
  | 'INTERNAL';

/** Every error wafer raises on purpose. `message` is one line that names the file, flag or value. */
export class WaferError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WaferError';
    this.code = code;
  }
  /** True for errors the user fixes by changing the command line (exit code 2). */
  get isUsage(): boolean {
    return this.code === 'USAGE' || this.code === 'MESH_TOO_LARGE';
  }
}

/** A bad command-line flag or value: exit code 2. */
export function usageError(message: string): WaferError {
  return new WaferError('USAGE', message);
}

/** Asserts an assumption of our own code (not of user input). Failing it is a bug in wafer. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new WaferError('INTERNAL', `internal invariant violated: ${message}`);
}
