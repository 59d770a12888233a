// Messages that reached a core before its program asked for them (the router's input queue), kept in flat
// slot arrays instead of one object per message: per core a FIFO linked list, searched by route colour.

export class Mailbox {
  private color: Int32Array;
  private hops: Int32Array;
  private start: Float64Array;
  private next: Int32Array; // next slot of the same core's list, or of the free list; -1 ends a list
  private payload: (Float32Array | undefined)[];
  private free = -1;
  private readonly head: Int32Array; // per core: oldest pending slot, -1 if none
  private readonly tail: Int32Array;
  /** Messages held now (all cores). */
  count = 0;

  constructor(cores: number, capacity = 1024) {
    this.head = new Int32Array(cores).fill(-1);
    this.tail = new Int32Array(cores).fill(-1);
    this.color = new Int32Array(0);
    this.hops = new Int32Array(0);
    this.start = new Float64Array(0);
    this.next = new Int32Array(0);
    this.payload = [];
    this.grow(capacity);
  }

  /** Appends a message to core i's list. */
  push(i: number, color: number, hops: number, start: number, payload: Float32Array): void {
    if (this.free < 0) this.grow(this.color.length * 2);
    const s = this.free;
    this.free = this.next[s];
    this.color[s] = color;
    this.hops[s] = hops;
    this.start[s] = start;
    this.payload[s] = payload;
    this.next[s] = -1;
    const t = this.tail[i];
    if (t < 0) this.head[i] = s;
    else this.next[t] = s;
    this.tail[i] = s;
    this.count++;
  }

  /** Unlinks core i's oldest message on `color` and returns its slot (read it, then `release`), or -1. */
  take(i: number, color: number): number {
    let prev = -1;
    for (let s = this.head[i]; s >= 0; prev = s, s = this.next[s]) {
      if (this.color[s] !== color) continue;
      const after = this.next[s];
      if (prev < 0) this.head[i] = after;
      else this.next[prev] = after;
      if (this.tail[i] === s) this.tail[i] = prev;
      return s;
    }
    return -1;
  }

  slotHops(s: number): number { return this.hops[s]; }
  slotStart(s: number): number { return this.start[s]; }
  slotColor(s: number): number { return this.color[s]; }
  slotPayload(s: number): Float32Array { return this.payload[s]!; }

  /** Returns a taken slot to the free list. */
  release(s: number): void {
    this.payload[s] = undefined;
    this.next[s] = this.free;
    this.free = s;
    this.count--;
  }

  /** Messages pending for core i, and the colour of its oldest. */
  pendingOf(i: number): { count: number; color: number } {
    let count = 0;
    for (let s = this.head[i]; s >= 0; s = this.next[s]) count++;
    return { count, color: count > 0 ? this.color[this.head[i]] : -1 };
  }

  /** Gives every held message a payload of its own (copied out of the tile's arena before the arena is reused). */
  detachPayloads(): void {
    if (this.count === 0) return;
    for (let i = 0; i < this.head.length; i++) for (let s = this.head[i]; s >= 0; s = this.next[s]) this.payload[s] = this.payload[s]!.slice();
  }

  private grow(capacity: number): void {
    const old = this.color.length;
    const grown = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(capacity);
      b.set(a);
      return b;
    };
    this.color = grown(this.color, (n) => new Int32Array(n));
    this.hops = grown(this.hops, (n) => new Int32Array(n));
    this.start = grown(this.start, (n) => new Float64Array(n));
    this.next = grown(this.next, (n) => new Int32Array(n));
    this.payload.length = capacity;
    // New slots join the free list, lowest first.
    for (let s = capacity - 1; s >= old; s--) {
      this.next[s] = this.free;
      this.free = s;
    }
  }
}
