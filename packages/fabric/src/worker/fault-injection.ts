// Fault injection for the failure tests of the fabric and the CLI: WAFER_FAULT_INJECT="<kind>@<x>,<y>#<run>"
// makes core (x, y) fail at its first resume in run <run> (the fabric's run epoch, counted from 1): 'exit'
// ends its worker thread, 'throw' throws from the core program, 'hang' loops forever without yielding.
// Read once per worker thread; unset (as always outside tests) it costs nothing.

import { usageError, type CoreProgram } from '@wafer/arch';

const FAULT_KINDS = ['exit', 'throw', 'hang'] as const;
type FaultKind = (typeof FAULT_KINDS)[number];

/** A parsed WAFER_FAULT_INJECT. */
export interface InjectedFault {
  readonly kind: FaultKind;
  readonly x: number;
  readonly y: number;
  readonly run: number;
  /** `program` itself, or in the faulty run a program whose core (x, y) fails as `kind` says. */
  wrap(program: CoreProgram, epoch: number): CoreProgram;
}

/** The fault named by `spec` (default: the WAFER_FAULT_INJECT environment variable), or null. */
export function injectedFault(spec: string | undefined = process.env.WAFER_FAULT_INJECT): InjectedFault | null {
  if (spec === undefined || spec === '') return null;
  const m = /^(\w+)@(\d+),(\d+)#(\d+)$/.exec(spec);
  if (m === null || !(FAULT_KINDS as readonly string[]).includes(m[1])) {
    throw usageError(`WAFER_FAULT_INJECT=${spec} is not <${FAULT_KINDS.join('|')}>@<x>,<y>#<run>`);
  }
  const [kind, x, y, run] = [m[1] as FaultKind, Number(m[2]), Number(m[3]), Number(m[4])];
  return {
    kind, x, y, run,
    wrap(program: CoreProgram, epoch: number): CoreProgram {
      if (epoch !== run) return program;
      return (core, args) => (core.x === x && core.y === y ? failing(kind) : program(core, args));
    },
  };
}

/** A core program that fails at its first resume. */
function* failing(kind: FaultKind): Generator<never, void, Float32Array> {
  if (kind === 'exit') process.exit(3);
  if (kind === 'throw') throw new Error('injected fault');
  for (;;) {
    // 'hang': a core program that never yields holds its worker thread forever
  }
}
