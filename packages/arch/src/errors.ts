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
  | 'INTERNAL'
  | 'LISTEN_FAILED' // a server could not bind its host and port
  | 'BAD_RUN_RECORD' // a run record (wafer report's input) that is not one, or is damaged
  | 'CORE_HUNG' // a core program ran without yielding or computing for longer than the stall limit
  | 'INTERRUPTED' // SIGINT or SIGTERM stopped the command
  | 'HOST_MEMORY'; // placing the model would need more memory than this process may use

/** The longest message a WaferError keeps; longer ones (a quoted file excerpt, say) end in "…". */
export const MAX_ERROR_MESSAGE_CHARS = 1000;

/**
 * `message` as one printable line: line breaks and other control characters (which a file's own names and
 * excerpts may carry, and which could drive a terminal) become escapes such as `\n` and `\x1b`, and the
 * result is cut to MAX_ERROR_MESSAGE_CHARS.
 */
export function oneLineMessage(message: string): string {
  const escaped = message.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const code = c.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16)}` : `\\x${code.toString(16).padStart(2, '0')}`;
  });
  return escaped.length <= MAX_ERROR_MESSAGE_CHARS ? escaped : `${escaped.slice(0, MAX_ERROR_MESSAGE_CHARS - 1)}…`;
}

/**
 * Every error wafer raises on purpose. `message` is one line that names the file, flag or value (made so by
 * oneLineMessage, since it often quotes what a file contains).
 */
export class WaferError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(oneLineMessage(message), options);
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
