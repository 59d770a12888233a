// What counts as a finding for one fuzz input: an exception other than a typed WaferError (or an INTERNAL
// one, a broken invariant), a WaferError whose message is not one clean line, or an allocation far beyond the
// input's size. Hangs are the fuzzer's per-input timeout. Used by fuzzing and by the corpus replay test.
import { MAX_ERROR_MESSAGE_CHARS, WaferError } from '@wafer/arch';
import { installAllocationMeter, takeAllocatedBytes } from './allocation-meter.mjs';
import { FUZZ_TARGETS } from './targets.mjs';

/** An input may make a reader allocate this many bytes per input byte (dequantising Q2_K expands 12×)… */
export const ALLOCATION_BYTES_PER_INPUT_BYTE = 32;
/** …plus this much (tokenizer tables, small fixed buffers). */
export const ALLOCATION_SLACK_BYTES = 8 << 20;

/** A fuzz finding: `kind` says which rule the input broke. */
export class FuzzFinding extends Error {
  constructor(kind, message, options) {
    super(`${kind}: ${message}`, options);
    this.name = 'FuzzFinding';
    this.kind = kind;
  }
}

/**
 * Runs fuzz target `name` on `bytes`. Returns 'ok' or the code of the WaferError it raised; throws a
 * FuzzFinding otherwise. Installs the allocation meter on first use.
 */
export function checkInput(name, bytes) {
  const target = FUZZ_TARGETS[name];
  if (!target) throw new Error(`unknown fuzz target ${name}`);
  installAllocationMeter();
  takeAllocatedBytes();
  let outcome = 'ok';
  try {
    target(bytes);
  } catch (err) {
    outcome = classify(err);
  } finally {
    const allocated = takeAllocatedBytes();
    const limit = ALLOCATION_SLACK_BYTES + ALLOCATION_BYTES_PER_INPUT_BYTE * bytes.length;
    if (allocated > limit) {
      throw new FuzzFinding('allocation', `${allocated} bytes allocated for a ${bytes.length}-byte input (limit ${limit})`);
    }
  }
  return outcome;
}

function classify(err) {
  if (!(err instanceof WaferError)) {
    throw new FuzzFinding('exception', `${err?.name ?? typeof err}: ${err?.message ?? String(err)}`, { cause: err });
  }
  if (err.code === 'INTERNAL') throw new FuzzFinding('internal', err.message, { cause: err });
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(err.message)) throw new FuzzFinding('message', `control character in ${JSON.stringify(err.message.slice(0, 200))}`, { cause: err });
  if (err.message.length > MAX_ERROR_MESSAGE_CHARS) throw new FuzzFinding('message', `${err.message.length}-character message: ${err.message.slice(0, 200)}…`, { cause: err });
  return err.code;
}
