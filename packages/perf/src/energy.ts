// Time and energy from modeled cycles: seconds at the machine's clock, joules at its chip power
// (the paper counts energy as power × time, wafer-notes §1).

import type { MachineSpec } from '@wafer/arch';

/** Seconds the machine takes for `cycles` cycles. */
export function secondsOf(spec: MachineSpec, cycles: number): number {
  return cycles / spec.clockHz;
}

/** Joules the machine draws over `cycles` cycles: powerWatts × time. */
export function energyJoules(spec: MachineSpec, cycles: number): number {
  return spec.powerWatts * secondsOf(spec, cycles);
}
