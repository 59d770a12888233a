// Single-producer single-consumer ring channel over a SharedArrayBuffer: the links that cross tiles.
// Records are message fragments; a full ring refuses the write (the writer retries), it never overwrites.

/**
 * Header slots (Int32 indices), each on its own 64-byte cache line so the producer's and the consumer's
 * updates do not bounce one line between cores. Positions count 8-byte units and run freely modulo 2^32.
 */
export const RING_WRITE_POS = 0; // written by the producer only
export const RING_READ_POS = 16; // written by the consumer only
export const RING_WRITER_BLOCKED = 32; // producer sets 1 when a write was refused; consumer clears it and wakes the producer
export const RING_HEADER_INT32S = 48;
const HEADER_BYTES = RING_HEADER_INT32S * 4; // 192: keeps the data region 8-byte aligned

/** Record layout in 32-bit words: dst, colorFlags, hops, totalLen, fragOffset, fragLen, start (f64 at words 6-7). */
const REC_DST = 0;
const REC_COLOR = 1;
const REC_HOPS = 2;
const REC_TOTAL = 3;
const REC_OFFSET = 4;
const REC_LEN = 5;
const REC_START = 6; // float64 at 8-byte unit 3
const REC_HEADER_U32 = 8;
const WRAP_MARKER = 0xffffffff;

/** A message as it crosses a ring: destination core, route colour (+flags), hops travelled, send time. */
export interface WireMessage {
  dst: number;
  color: number;
  hops: number;
  start: number;
  payload: Float32Array;
}

/** Receives each whole message a ring delivers (no message object on the tile runtime's path). */
export type RingSink = (dst: number, color: number, hops: number, start: number, payload: Float32Array) => void;

const allocFloats = (n: number) => new Float32Array(n);

/** dst[d..d+n) = src[s..s+n): a plain loop for the short vectors most messages carry (no subarray views). */
function copyFloats(dst: Float32Array, d: number, src: Float32Array, s: number, n: number): void {
  if (n > 32) {
    dst.set(src.subarray(s, s + n), d);
    return;
  }
  for (let k = 0; k < n; k++) dst[d + k] = src[s + k];
}

/**
 * Creates the shared memory of a ring with room for at least `capacityBytes` of records. The capacity is a
 * power of two: positions run freely modulo 2^32, and slot = position mod capacity stays consistent across
 * that wrap only when the capacity divides 2^32.
 */
export function createRingBuffer(capacityBytes: number): SharedArrayBuffer {
  let cap = 64;
  while (cap < capacityBytes) cap *= 2;
  return new SharedArrayBuffer(HEADER_BYTES + cap);
}

/** One end (or both, in tests) of a ring. Construct one per thread from the same SharedArrayBuffer. */
export class RingChannel {
  readonly header: Int32Array;
  private readonly u32: Uint32Array;
  private readonly f32: Float32Array;
  private readonly f64: Float64Array;
  private readonly u8: Uint8Array;
  /** Capacity in 8-byte units. */
  readonly units: number;
  /** Largest fragment payload (floats) a record may carry: a quarter of the ring, so several fit. */
  readonly maxFragmentFloats: number;
  /** Producer side: the consumer's read position when last looked at (space is at least what it implies). */
  private seenRead = 0;
  /** Producer side: the write position after the record `reserve` placed last (published by the caller). */
  private reservedEnd = 0;
  /** Consumer side: the message being reassembled from fragments, and its header. */
  private partial: Float32Array | null = null;
  private pDst = 0;
  private pColor = 0;
  private pHops = 0;
  private pStart = 0;

  constructor(readonly sab: SharedArrayBuffer) {
    this.header = new Int32Array(sab, 0, RING_HEADER_INT32S);
    this.units = (sab.byteLength - HEADER_BYTES) / 8;
    this.u32 = new Uint32Array(sab, HEADER_BYTES);
    this.f32 = new Float32Array(sab, HEADER_BYTES);
    this.f64 = new Float64Array(sab, HEADER_BYTES);
    this.u8 = new Uint8Array(sab, HEADER_BYTES);
    this.maxFragmentFloats = Math.max(1, Math.floor((this.units * 8) / 4 / 4) - REC_HEADER_U32);
  }

  /**
   * Producer: writes the fragment of `m` starting at float `offset`; returns the number of floats written
   * (-1 when the ring is full). A message larger than one fragment takes several calls.
   */
  tryWrite(m: WireMessage, offset = 0): number {
    return this.tryWriteParts(m.dst, m.color, m.hops, m.start, m.payload, offset);
  }

  /** `tryWrite` without a message object: the tile runtime's hot path, straight from the sender's vector. */
  tryWriteParts(dst: number, color: number, hops: number, start: number, payload: Float32Array, offset: number): number {
    const total = payload.length;
    const len = Math.min(total - offset, this.maxFragmentFloats);
    const recUnits = (REC_HEADER_U32 + len + 1) >> 1; // header + payload, rounded up to 8 bytes
    const slot = this.reserve(recUnits);
    if (slot < 0) return -1;
    const b = slot * 2;
    this.u32[b + REC_DST] = dst;
    this.u32[b + REC_COLOR] = color;
    this.u32[b + REC_HOPS] = hops;
    this.u32[b + REC_TOTAL] = total;
    this.u32[b + REC_OFFSET] = offset;
    this.u32[b + REC_LEN] = len;
    this.f64[slot + (REC_START >> 1)] = start;
    copyFloats(this.f32, b + REC_HEADER_U32, payload, offset, len);
    // release: the record's bytes are visible to a consumer that Atomics.loads the new position
    Atomics.store(this.header, RING_WRITE_POS, this.reservedEnd | 0);
    return len;
  }

  /**
   * Producer: finds room for a record of `recUnits` after the last one, or at slot 0 when it does not fit
   * before the end (the tail is then marked as skipped). Returns the record's slot (8-byte units), or -1 when
   * the ring is full; the caller writes the record and publishes `reservedEnd`.
   */
  private reserve(recUnits: number): number {
    const w = this.header[RING_WRITE_POS] >>> 0; // own counter: a plain read suffices
    const at = w % this.units;
    const tail = this.units - at;
    const wraps = tail < recUnits;
    const need = wraps ? tail + recUnits : recUnits;
    // The consumer's position is looked at only when the space last seen is not enough, so its cache line
    // stays with the consumer.
    if (((w - this.seenRead) >>> 0) + need > this.units) {
      this.seenRead = Atomics.load(this.header, RING_READ_POS) >>> 0; // acquire: slots before it are free
      if (((w - this.seenRead) >>> 0) + need > this.units) return -1;
    }
    if (!wraps) {
      this.reservedEnd = (w + recUnits) >>> 0;
      return at;
    }
    this.u32[at * 2] = WRAP_MARKER;
    this.reservedEnd = (w + tail + recUnits) >>> 0;
    return 0;
  }

  /**
   * Producer, raw: writes one record exactly as `readRecords` handed it out of another ring of the same
   * capacity (the hosts' bridges carry records between machines this way). False when the ring is full.
   */
  tryWriteRecord(src: Uint8Array, byteOffset: number, byteLength: number): boolean {
    const slot = this.reserve(byteLength >> 3);
    if (slot < 0) return false;
    this.u8.set(src.subarray(byteOffset, byteOffset + byteLength), slot * 8);
    Atomics.store(this.header, RING_WRITE_POS, this.reservedEnd | 0); // release, as in tryWriteParts
    return true;
  }

  /**
   * Consumer, raw: hands each record written so far (one message fragment with its header, as bytes of the
   * ring, 8-byte aligned; `last` when it ends its message) to `take` until it returns false, then releases the
   * taken records' slots. Returns how many records were taken.
   */
  readRecords(take: (data: Uint8Array, byteOffset: number, byteLength: number, last: boolean) => boolean): number {
    let r = this.header[RING_READ_POS] >>> 0; // own counter
    const w = Atomics.load(this.header, RING_WRITE_POS) >>> 0; // acquire: records before w are complete
    let taken = 0;
    while (r !== w) {
      let slot = r % this.units;
      let next = r;
      if (this.u32[slot * 2] === WRAP_MARKER) {
        next = (r + (this.units - slot)) >>> 0;
        slot = 0;
      }
      const b = slot * 2;
      const len = this.u32[b + REC_LEN];
      const last = this.u32[b + REC_OFFSET] + len === this.u32[b + REC_TOTAL];
      const bytes = ((REC_HEADER_U32 + len + 1) >> 1) * 8;
      if (!take(this.u8, slot * 8, bytes, last)) break;
      r = (next + bytes / 8) >>> 0;
      taken++;
    }
    if (taken === 0) return 0;
    Atomics.store(this.header, RING_READ_POS, r | 0); // release, as in read()
    if (Atomics.load(this.header, RING_WRITER_BLOCKED) !== 0) Atomics.notify(this.header, RING_READ_POS);
    return taken;
  }

  /** Consumer: the next whole message, or null when none is complete yet. Reassembles fragments. */
  tryRead(): WireMessage | null {
    let out: WireMessage | null = null;
    this.read(allocFloats, (dst, color, hops, start, payload) => {
      out = { dst, color, hops, start, payload };
    }, 1);
    return out;
  }

  /**
   * Consumer: takes every complete message off the ring, handing each to `sink` with a payload from `alloc`
   * (the tile's arena, so reading allocates no ArrayBuffer). Returns how many messages were delivered.
   */
  readEach(alloc: (n: number) => Float32Array, sink: RingSink): number {
    return this.read(alloc, sink, Number.POSITIVE_INFINITY);
  }

  /**
   * Reads the records written so far (one look at the write position), up to `max` whole messages, then
   * releases their slots with one store of the read position.
   */
  private read(alloc: (n: number) => Float32Array, sink: RingSink, max: number): number {
    let r = this.header[RING_READ_POS] >>> 0; // own counter
    const w = Atomics.load(this.header, RING_WRITE_POS) >>> 0; // acquire: records before w are complete
    if (r === w) return 0;
    let delivered = 0;
    while (r !== w && delivered < max) {
      let slot = r % this.units;
      if (this.u32[slot * 2] === WRAP_MARKER) {
        r = (r + (this.units - slot)) >>> 0;
        slot = 0;
      }
      const b = slot * 2;
      const total = this.u32[b + REC_TOTAL];
      const offset = this.u32[b + REC_OFFSET];
      const len = this.u32[b + REC_LEN];
      if (offset === 0) {
        this.pDst = this.u32[b + REC_DST];
        this.pColor = this.u32[b + REC_COLOR];
        this.pHops = this.u32[b + REC_HOPS];
        this.pStart = this.f64[slot + (REC_START >> 1)];
        this.partial = alloc(total);
      }
      copyFloats(this.partial!, offset, this.f32, b + REC_HEADER_U32, len);
      r = (r + ((REC_HEADER_U32 + len + 1) >> 1)) >>> 0;
      if (offset + len === total) {
        const payload = this.partial!;
        this.partial = null;
        sink(this.pDst, this.pColor, this.pHops, this.pStart, payload);
        delivered++;
      }
    }
    // release: the producer may now reuse these slots
    Atomics.store(this.header, RING_READ_POS, r | 0);
    // Wake a producer blocked in write(). It re-checks space after raising its flag, so no wake-up is lost.
    if (Atomics.load(this.header, RING_WRITER_BLOCKED) !== 0) Atomics.notify(this.header, RING_READ_POS);
    return delivered;
  }

  /** Consumer: true (once) if the producer was refused since the last call; it should then be woken. */
  takeWriterBlocked(): boolean {
    if (Atomics.load(this.header, RING_WRITER_BLOCKED) === 0) return false;
    Atomics.store(this.header, RING_WRITER_BLOCKED, 0);
    return true;
  }

  /**
   * Producer: writes the whole message, blocking the thread (Atomics.wait on the read position) while the
   * ring is full. For tests and simple producers; the fabric never blocks a thread that runs cores.
   */
  write(m: WireMessage, timeoutMs = 10_000): void {
    let offset = 0;
    for (;;) {
      const n = this.tryWrite(m, offset);
      if (n >= 0) {
        offset += n;
        if (offset >= m.payload.length) return;
        continue;
      }
      const r = Atomics.load(this.header, RING_READ_POS);
      Atomics.store(this.header, RING_WRITER_BLOCKED, 1);
      // Space may have appeared before the consumer saw the flag: if the read position moved, retry at once.
      // Otherwise the consumer notifies RING_READ_POS after it frees space and sees the flag.
      if (Atomics.wait(this.header, RING_READ_POS, r, timeoutMs) === 'timed-out') throw new Error(`ring write timed out after ${timeoutMs} ms`);
    }
  }

  /** True when nothing is waiting to be read (consumer side). */
  isEmpty(): boolean {
    return (this.header[RING_READ_POS] >>> 0) === (Atomics.load(this.header, RING_WRITE_POS) >>> 0);
  }
}
