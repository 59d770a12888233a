// The slice of the fabric's coordinator API the host-side kernel runners use. `Fabric` from @wafer/fabric
// satisfies it structurally; kernels never import the fabric (only arch).

import type { MachineSpec, MeshShape } from '@wafer/arch';

export interface ProgramRefLike {
  module: string;
  export: string;
}

export interface RunReportLike {
  modeledCycles: number;
  messages: number;
  words: number;
  maxHopsPerTransfer: number;
  maxRoutesPerRouter: number;
  sramPeakBytesPerCore: number;
  wallMs: number;
}

export interface MeshLike<R extends RunReportLike = RunReportLike> {
  readonly mesh: MeshShape;
  readonly machine: MachineSpec;
  place(name: string, block: (x: number, y: number) => Float32Array | undefined): Promise<void>;
  free(name: string): Promise<void>;
  run(program: ProgramRefLike, args?: unknown): Promise<R>;
  gather(name: string): Promise<(Float32Array | undefined)[]>;
}
