// A core as a program running on one region sees it: coordinates and mesh size local to the region, every
// action passed straight to the real core. Routes are relative (direction and hops), so a kernel written for a
// whole mesh runs unchanged on a region; only hand-offs send past the region's edge.

import type { ComputeCost, Core, MachineSpec, RecvRequest, RegionRect, Route } from '@wafer/arch';

class RegionCore implements Core {
  readonly x: number;
  readonly y: number;
  readonly rows: number;
  readonly cols: number;
  readonly machine: MachineSpec;
  constructor(private readonly inner: Core, rect: RegionRect) {
    this.x = inner.x - rect.x0;
    this.y = inner.y - rect.y0;
    this.rows = rect.rows;
    this.cols = rect.cols;
    this.machine = inner.machine;
  }
  get clock(): number {
    return this.inner.clock;
  }
  alloc(name: string, length: number): Float32Array {
    return this.inner.alloc(name, length);
  }
  buffer(name: string): Float32Array {
    return this.inner.buffer(name);
  }
  has(name: string): boolean {
    return this.inner.has(name);
  }
  free(name: string): void {
    this.inner.free(name);
  }
  scratch(length: number): Float32Array {
    return this.inner.scratch(length);
  }
  send(r: Route, data: Float32Array): void {
    this.inner.send(r, data);
  }
  give(r: Route, data: Float32Array): void {
    this.inner.give(r, data);
  }
  forward(r: Route, data: Float32Array): void {
    this.inner.forward(r, data);
  }
  recv(color: number): RecvRequest {
    return this.inner.recv(color);
  }
  stream(color: number): RecvRequest {
    return this.inner.stream(color);
  }
  compute(cost: ComputeCost): void {
    this.inner.compute(cost);
  }
  step(): void {
    this.inner.step();
  }
  phase(id: number): void {
    this.inner.phase(id);
  }
}

/** `core` seen from inside `rect` (which must contain it). */
export function regionView(core: Core, rect: RegionRect): Core {
  return new RegionCore(core, rect);
}
