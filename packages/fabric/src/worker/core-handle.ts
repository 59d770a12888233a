// One virtual core as its program sees it: the Core contract implemented over the tile's per-core arrays.
// All modeled-time rules live here (send, receive, relay, compute); see docs/fabric.md for the timing model.

import { computeCycles, DX, DY, hopsToEdge, KIND_COMPUTE, KIND_ELEMENTWISE, KIND_OVERHEAD, KIND_RELAY, packRoute, PHASE_COUNT, WaferError } from '@wafer/arch';
import type { ComputeCost, Core, MachineSpec, RecvRequest, Route } from '@wafer/arch';
import type { TileRuntime } from './tile-runtime.js';
import { BUSY, CLOCK, CORE_STRIDE, EGRESS_FREE, SENT_COLORS, SENT_MESSAGES, SENT_WORDS, STREAMED } from './core-state.js';

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
    this.b = i * CORE_STRIDE;
  }

  /** Offset of this core's fields in the tile's state array. */
  private readonly b: number;

  get clock(): number {
    return this.t.state[this.b + CLOCK];
  }

  alloc(name: string, length: number): Float32Array {
    const b = this.t.memory.alloc(this.i, name, length);
    if (this.t.recorder !== null) this.t.recorder.sram(this.i, this.clock, this.t.memory.usedBytes[this.i]);
    return b;
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
    if (this.t.recorder !== null) this.t.recorder.sram(this.i, this.clock, this.t.memory.usedBytes[this.i]);
  }
  scratch(length: number): Float32Array {
    return this.t.arena.take(length);
  }

  send(r: Route, data: Float32Array): void {
    this.transmit(r, data, false);
  }
  give(r: Route, data: Float32Array): void {
    this.transmit(r, data, true);
  }

  /** A send; `given`: the receiver inside the tile takes `data` itself instead of a copy (`give`). */
  private transmit(r: Route, data: Float32Array, given: boolean): void {
    const t = this.t;
    const i = this.i;
    // The mesh shape from this handle's own fields (a table per core would be one more cache line per send).
    if (r.hops > hopsToEdge(this, this.x, this.y, r.dir)) {
      throw new WaferError('INTERNAL', `core(${this.x},${this.y}) sent on colour ${r.color} ${r.hops} hop(s) ${'NESW'[r.dir]}, past the mesh edge`);
    }
    const st = t.state;
    const b = this.b;
    if ((st[b + SENT_COLORS] & (1 << r.color)) === 0) {
      st[b + SENT_COLORS] |= 1 << r.color;
      t.traffic.registerRoute(this.x, this.y, r);
    }
    const n = data.length;
    const ser = t.serCycles(n);
    // Egress: the core-to-router link carries one message at a time, in this core's program order.
    const clock = st[b + CLOCK];
    const egress = st[b + EGRESS_FREE];
    const start = clock > egress ? clock : egress;
    st[b + EGRESS_FREE] = start + ser;
    if (st[b + STREAMED] !== 0) {
      // The output of a streaming relay: the core is busy until its last element has left.
      st[b + STREAMED] = 0;
      st[b + BUSY] += start + ser - clock;
      st[b + CLOCK] = start + ser;
      if (t.ledger !== null) t.ledger.add(i, KIND_RELAY, start + ser - clock);
    }
    if (t.recorder !== null) t.recorder.send(i, clock, start, packRoute(r.color, r.dir, r.multicast === true, r.hops), n);
    st[b + SENT_MESSAGES] += 1;
    st[b + SENT_WORDS] += n;
    t.traffic.count(this.x, this.y, r, n, ser);
    const dx = DX[r.dir];
    const dy = DY[r.dir];
    if (r.multicast) {
      for (let k = 1; k <= r.hops; k++) t.post(this.x + dx * k, this.y + dy * k, r.color, k, start, data, false);
    } else {
      t.post(this.x + dx * r.hops, this.y + dy * r.hops, r.color, r.hops, start, data, given);
    }
  }

  forward(r: Route, data: Float32Array): void {
    const relay = this.machine.relay;
    this.charge(relay.storeForwardCycles + relay.storeForwardCyclesPerElement * data.length, KIND_RELAY);
    this.send(r, data);
  }

  recv(color: number): RecvRequest {
    return color as RecvRequest;
  }
  stream(color: number): RecvRequest {
    return (color | STREAM_FLAG) as RecvRequest;
  }

  compute(cost: ComputeCost): void {
    // A local kernel (multiply-accumulates in an outer loop) is compute, even on an empty block; the rest is element-wise.
    this.charge(computeCycles(this.machine, cost), cost.macs || cost.loops ? KIND_COMPUTE : KIND_ELEMENTWISE);
  }
  step(): void {
    if (this.t.recorder !== null) this.t.recorder.step(this.i, this.clock);
    this.charge(this.machine.stepCycles, KIND_OVERHEAD);
  }
  phase(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= PHASE_COUNT) throw new WaferError('INTERNAL', `core(${this.x},${this.y}) marked phase ${id}, which is not a phase id (0..${PHASE_COUNT - 1})`);
    const t = this.t;
    if (t.ledger !== null) t.ledger.mark(this.i, id);
    if (t.recorder !== null) t.recorder.phase(this.i, this.clock, id);
  }

  /** Advances the clock by local work of one kind (attributed to the current phase when phases are on). */
  private charge(cycles: number, kind: number): void {
    this.t.beat(); // a core that computes is making progress, even if it runs long between yields
    const st = this.t.state;
    st[this.b + CLOCK] += cycles;
    st[this.b + BUSY] += cycles;
    if (this.t.ledger !== null) this.t.ledger.add(this.i, kind, cycles);
  }
}
