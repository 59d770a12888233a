// The links of a tile that cross to other tiles: one inbound SPSC ring per neighbour tile that sends here, and
// per destination tile an outbound ring written at send time, with a FIFO outbox in front of it for the
// messages a full ring refused (so a full ring never blocks the thread, and order per link is kept).

import { WaferError } from '@wafer/arch';
import { RING_WRITER_BLOCKED, RingChannel, type RingSink } from '../ring.js';
import type { ControlState } from '../shared-state.js';

interface Queued {
  dst: number;
  color: number;
  hops: number;
  start: number;
  payload: Float32Array; // a snapshot: the sender may change its vector after the send
}

interface Outbound {
  to: number;
  ring: RingChannel;
  queue: Queued[]; // refused by the full ring, in send order
  head: number; // index of the first unsent message
  offset: number; // floats of queue[head] already written (fragments)
  written: number; // whole messages written since the last flush
  fragments: number; // records written since the last flush (the reader must be woken for these)
  wakeAtWrite: boolean; // a sleeping reader is woken at each write (a tile thread), else at flushes (a host's bridge)
}

export class TileLinks {
  private readonly inRings: { from: number; ring: RingChannel }[] = [];
  private readonly out: (Outbound | undefined)[] = [];
  private readonly outList: Outbound[] = [];
  /** Messages waiting in outboxes (refused by full rings). */
  private queued = 0;

  constructor(
    private readonly me: number,
    rings: { from: number; to: number; sab: SharedArrayBuffer; remote?: boolean }[],
    private readonly control: ControlState,
    private readonly alloc: (n: number) => Float32Array,
    private readonly sink: RingSink,
  ) {
    for (const r of rings) {
      if (r.to === me) this.inRings.push({ from: r.from, ring: new RingChannel(r.sab) });
      if (r.from === me) {
        const o: Outbound = { to: r.to, ring: new RingChannel(r.sab), queue: [], head: 0, offset: 0, written: 0, fragments: 0, wakeAtWrite: r.remote !== true };
        this.out[r.to] = o;
        this.outList.push(o);
      }
    }
  }

  /**
   * Sends a message to the tile that owns its destination: straight into the ring when it has room and
   * nothing is queued before it; otherwise a snapshot joins the outbox. A sleeping tile thread that reads the ring
   * is woken at once; `flush` wakes the readers of everything else written since the last flush.
   */
  send(owner: number, dst: number, color: number, hops: number, start: number, payload: Float32Array): void {
    const o = this.out[owner];
    if (o === undefined) throw new WaferError('INTERNAL', `no ring from tile ${this.me} to tile ${owner}`);
    if (o.head === o.queue.length) {
      const n = o.ring.tryWriteParts(dst, color, hops, start, payload, 0);
      // A reader asleep waits for this: wake it now, not at this thread's next flush (which may be 64 resumes away).
      // Not a host's bridge: it keeps its flag up for good and batches what it forwards into frames.
      if (n >= 0 && o.wakeAtWrite) this.control.ringIfSleeping(o.to);
      if (n === payload.length) {
        o.written++;
        o.fragments++;
        return;
      }
      if (n > 0) {
        // A large message: its first fragment went in; the rest waits in the outbox.
        o.fragments++;
        o.offset = n;
      }
    }
    o.queue.push({ dst, color, hops, start, payload: this.snapshot(payload) });
    this.queued++;
  }

  private snapshot(p: Float32Array): Float32Array {
    const v = this.alloc(p.length);
    v.set(p);
    return v;
  }

  /** Moves every complete message from the inbound rings to its core. Returns how many arrived. */
  drain(): number {
    let count = 0;
    for (let k = 0; k < this.inRings.length; k++) {
      const { from, ring } = this.inRings[k];
      const got = ring.readEach(this.alloc, this.sink);
      if (got > 0) this.control.addRead(this.me, got);
      if (ring.takeWriterBlocked()) this.control.ring(from);
      count += got;
    }
    return count;
  }

  /** Writes as much of every outbox as its ring takes, in order, counts what was written and wakes the readers. */
  flush(): void {
    for (let k = 0; k < this.outList.length; k++) {
      const o = this.outList[k];
      if (o.head < o.queue.length) this.writeQueued(o);
      if (o.written > 0) this.control.addWritten(this.me, o.written);
      // Wake the reader if it sleeps (an awake one polls its rings). For fragments too: the reader must drain a
      // large message's first parts to make room for the rest.
      if (o.fragments > 0) this.control.ringIfSleeping(o.to);
      o.written = 0;
      o.fragments = 0;
    }
  }

  private writeQueued(o: Outbound): void {
    while (o.head < o.queue.length) {
      const m = o.queue[o.head];
      let n = o.ring.tryWriteParts(m.dst, m.color, m.hops, m.start, m.payload, o.offset);
      if (n < 0) {
        // Full: ask the reader to wake us when it frees space, then look once more, since it may have
        // drained the ring before it could see the flag (that wake-up would be lost).
        Atomics.store(o.ring.header, RING_WRITER_BLOCKED, 1);
        n = o.ring.tryWriteParts(m.dst, m.color, m.hops, m.start, m.payload, o.offset);
        if (n < 0) break;
      }
      o.fragments++;
      o.offset += n;
      if (o.offset >= m.payload.length) {
        o.head++;
        o.offset = 0;
        o.written++;
        this.queued--;
      }
    }
    if (o.head === o.queue.length) {
      o.queue.length = 0;
      o.head = 0;
    }
  }

  /** True when every outbox has been written out. */
  empty(): boolean {
    return this.queued === 0;
  }

  /** True when some outbound ring was written since the last flush (its reader may not have been woken yet). */
  unflushed(): boolean {
    for (let k = 0; k < this.outList.length; k++) if (this.outList[k].fragments > 0) return true;
    return false;
  }
}
