// The links of a tile that cross to other tiles: one inbound SPSC ring per neighbour tile that sends here, and
// per destination tile an outbox (FIFO) in front of the outbound ring, so a full ring never blocks the thread.

import { WaferError } from '@wafer/arch';
import { RING_WRITER_BLOCKED, RingChannel } from '../ring.js';
import type { ControlState } from '../shared-state.js';
import type { Message } from './core-handle.js';

interface Outbox {
  ring: RingChannel;
  queue: Message[];
  head: number; // index of the first unsent message
  offset: number; // floats of queue[head] already written (fragments)
}

export class TileLinks {
  private readonly inRings: { from: number; ring: RingChannel }[] = [];
  private readonly outboxes = new Map<number, Outbox>();

  constructor(
    private readonly me: number,
    rings: { from: number; to: number; sab: SharedArrayBuffer }[],
    private readonly control: ControlState,
    private readonly deliver: (m: Message) => void,
  ) {
    for (const r of rings) {
      if (r.to === me) this.inRings.push({ from: r.from, ring: new RingChannel(r.sab) });
      if (r.from === me) this.outboxes.set(r.to, { ring: new RingChannel(r.sab), queue: [], head: 0, offset: 0 });
    }
  }

  /** Queues a message for the tile that owns its destination; `flush` writes it. */
  queue(owner: number, m: Message): void {
    const box = this.outboxes.get(owner);
    if (box === undefined) throw new WaferError('INTERNAL', `no ring from tile ${this.me} to tile ${owner}`);
    box.queue.push(m);
  }

  /** Moves every complete message from the inbound rings to its core. Returns how many arrived. */
  drain(): number {
    let count = 0;
    for (const { from, ring } of this.inRings) {
      let got = 0;
      for (let w = ring.tryRead(); w !== null; w = ring.tryRead()) {
        this.deliver({ dst: w.dst, color: w.color, hops: w.hops, start: w.start, payload: w.payload, next: undefined });
        got++;
      }
      if (got > 0) this.control.addRead(this.me, got);
      if (ring.takeWriterBlocked()) this.control.ring(from);
      count += got;
    }
    return count;
  }

  /** Writes as much of every outbox as its ring takes, in order, and wakes the readers. */
  flush(): void {
    for (const [to, box] of this.outboxes) {
      let written = 0; // whole messages
      let fragments = 0;
      while (box.head < box.queue.length) {
        const m = box.queue[box.head];
        let n = box.ring.tryWrite(m, box.offset);
        if (n < 0) {
          // Full: ask the reader to wake us when it frees space, then look once more, since it may have
          // drained the ring before it could see the flag (that wake-up would be lost).
          Atomics.store(box.ring.header, RING_WRITER_BLOCKED, 1);
          n = box.ring.tryWrite(m, box.offset);
          if (n < 0) break;
        }
        fragments++;
        box.offset += n;
        if (box.offset >= m.payload.length) {
          box.head++;
          box.offset = 0;
          written++;
        }
      }
      if (box.head === box.queue.length && box.head > 0) {
        box.queue.length = 0;
        box.head = 0;
      }
      if (written > 0) this.control.addWritten(this.me, written);
      // Ring for fragments too: the reader must drain a large message's first parts to make room for the rest.
      if (fragments > 0) this.control.ring(to);
    }
  }

  /** True when every outbox has been written out. */
  empty(): boolean {
    for (const box of this.outboxes.values()) if (box.head < box.queue.length) return false;
    return true;
  }
}
