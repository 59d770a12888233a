// One virtual core as its program sees it: the Core contract implemented over the tile's per-core arrays.
// All modeled-time rules live here (send, receive, relay, compute); see docs/fabric.md for the timing model.

import { computeCycles, DX, DY, hopsToEdge, WaferError } from '@wafer/arch';
import type { ComputeCost, Core, MachineSpec, RecvRequest, Route } from '@wafer/arch';
import type { TileRuntime } from './tile-runtime.js';

/** Flag bit of a RecvRequest: wait only for the head of the message (streaming relay or reduction). */
export const STREAM_FLAG = 32;
/** Mask of the colour in a RecvRequest. */
export const COLOR_MASK = 31;

export class CoreHandle implements Core {
  readonly rows: number;
  readonly cols: number;
  readonly machine: MachineSpec;
  constructor(private readonly t: TileRuntime, readonly i: number, readonly x: number, readonly y: number) {
    this.rows = t.mesh.rows;
    this.cols = t.mesh.cols;
    this.machine = t.machine;
  }

  get clock(): number {
    return this.t.clock[this.i];
  }

  alloc(name: string, length: number): Float32Array {
    return this.t.memory.alloc(this.i, name, length);
  }
  buffer(name: string): Float32Array {
    const b = this.t.memory.get(this.i, name);
    if (b === undefined) throw new WaferError('INTERNAL', `core(${this.x},${this.y}) has no buffer '${name}'`);
    return b;
  }
  has(name: string): boolean {
    return this.t.memory.has(this.i, name);
  }
  free(name: string): void {
    this.t.memory.release(this.i, name);
  }
  scratch(length: number): Float32Array {
    return this.t.arena.take(length);
  }

  send(r: Route, data: Float32Array): void {
    const t = this.t;
    const i = this.i;
    if (r.hops > hopsToEdge(t.mesh, this.x, this.y, r.dir)) {
      throw new WaferError('INTERNAL', `core(${this.x},${this.y}) sent on colour ${r.color} ${r.hops} hop(s) ${'NESW'[r.dir]}, past the mesh edge`);
    }
    if ((t.sentColors[i] & (1 << r.color)) === 0) t.registerRoute(i, this.x, this.y, r);
    const n = data.length;
    const ser = t.serCycles(n);
    // Egress: the core-to-router link carries one message at a time, in this core's program order.
    const clock = t.clock[i];
    const egress = t.egressFree[i];
    const start = clock > egress ? clock : egress;
    t.egressFree[i] = start + ser;
    if (t.streamed[i] !== 0) {
      // The output of a streaming relay: the core is busy until its last element has left.
      t.streamed[i] = 0;
      t.busy[i] += start + ser - clock;
      t.clock[i] = start + ser;
    }
    t.sentMessages[i] += 1;
    t.sentWords[i] += n;
    t.countLinks(this.x, this.y, r, n, ser);
    const dx = DX[r.dir];
    const dy = DY[r.dir];
    if (r.multicast) {
      for (let k = 1; k <= r.hops; k++) t.post(this.x + dx * k, this.y + dy * k, r.color, k, start, data);
    } else {
      t.post(this.x + dx * r.hops, this.y + dy * r.hops, r.color, r.hops, start, data);
    }
  }

  forward(r: Route, data: Float32Array): void {
    const relay = this.machine.relay;
    this.charge(relay.storeForwardCycles + relay.storeForwardCyclesPerElement * data.length);
    this.send(r, data);
  }

  recv(color: number): RecvRequest {
    return color as RecvRequest;
  }
  stream(color: number): RecvRequest {
    return (color | STREAM_FLAG) as RecvRequest;
  }

  compute(cost: ComputeCost): void {
    this.charge(computeCycles(this.machine, cost));
  }
  step(): void {
    this.charge(this.machine.stepCycles);
  }

  private charge(cycles: number): void {
    this.t.beat(); // a core that computes is making progress, even if it runs long between yields
    this.t.clock[this.i] += cycles;
    this.t.busy[this.i] += cycles;
  }
}
