// The binary frames bridges exchange between tile hosts: data frames carry ring records (message fragments
// with their headers, exactly as the rings hold them) grouped by link, ack frames return credits. Little
// endian, read with DataView (a received buffer need not be aligned).

/** A data frame: u32 segment count, then per segment a header and its records. */
const SEG_HEADER_BYTES = 20; // from, to, bytes, messages, flags (u32 each)
const FLAG_WANT_ACK = 1;
/** An ack frame: u32 count, then per link: u32 from, u32 to, f64 bytes moved into the ring so far. */
const ACK_BYTES = 16;

/** Bytes of the ring record that starts at `offset` (its payload length is header word 5). */
export function recordBytes(view: DataView, offset: number): number {
  const len = view.getUint32(offset + 20, true);
  return ((8 + len + 1) >> 1) * 8;
}

/** Builds one data frame from records taken off the outbound rings, link by link. */
export class DataFrameBuilder {
  private buf = new Uint8Array(64 * 1024);
  private view = new DataView(this.buf.buffer);
  private pos = 4;
  private segments = 0;
  private seg = -1; // offset of the open segment's header
  private segFrom = -1;
  private segTo = -1;

  /** Payload bytes so far (0: nothing to send). */
  get bytes(): number {
    return this.pos - 4;
  }

  /** Appends one record of link from → to; `last` when it ends its message, `wantAck` to ask for credit back. */
  add(from: number, to: number, src: Uint8Array, offset: number, length: number, last: boolean, wantAck: boolean): void {
    if (from !== this.segFrom || to !== this.segTo) {
      this.ensure(SEG_HEADER_BYTES);
      this.seg = this.pos;
      this.segFrom = from;
      this.segTo = to;
      this.segments++;
      this.view.setUint32(this.seg, from, true);
      this.view.setUint32(this.seg + 4, to, true);
      this.view.setUint32(this.seg + 8, 0, true);
      this.view.setUint32(this.seg + 12, 0, true);
      this.view.setUint32(this.seg + 16, 0, true);
      this.pos += SEG_HEADER_BYTES;
    }
    this.ensure(length);
    this.buf.set(src.subarray(offset, offset + length), this.pos);
    this.pos += length;
    const v = this.view;
    v.setUint32(this.seg + 8, v.getUint32(this.seg + 8, true) + length, true);
    if (last) v.setUint32(this.seg + 12, v.getUint32(this.seg + 12, true) + 1, true);
    if (wantAck) v.setUint32(this.seg + 16, FLAG_WANT_ACK, true);
  }

  /** The finished frame (its own exact-size copy); the builder starts empty again. */
  take(): Uint8Array {
    this.view.setUint32(0, this.segments, true);
    const out = this.buf.slice(0, this.pos);
    this.pos = 4;
    this.segments = 0;
    this.seg = -1;
    this.segFrom = -1;
    this.segTo = -1;
    return out;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
}

/** Calls `segment` for each link's records in a data frame (`records` is a view into `frame`). */
export function readDataFrame(frame: Uint8Array, segment: (from: number, to: number, records: Uint8Array, messages: number, wantAck: boolean) => void): void {
  const v = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const n = v.getUint32(0, true);
  let pos = 4;
  for (let s = 0; s < n; s++) {
    const from = v.getUint32(pos, true);
    const to = v.getUint32(pos + 4, true);
    const bytes = v.getUint32(pos + 8, true);
    const messages = v.getUint32(pos + 12, true);
    const flags = v.getUint32(pos + 16, true);
    pos += SEG_HEADER_BYTES;
    segment(from, to, frame.subarray(pos, pos + bytes), messages, (flags & FLAG_WANT_ACK) !== 0);
    pos += bytes;
  }
}

/** An ack frame: for each link, the bytes its receiver has moved into the ring so far (cumulative). */
export function ackFrame(acks: { from: number; to: number; moved: number }[]): Uint8Array {
  const out = new Uint8Array(4 + acks.length * ACK_BYTES);
  const v = new DataView(out.buffer);
  v.setUint32(0, acks.length, true);
  acks.forEach((a, k) => {
    v.setUint32(4 + k * ACK_BYTES, a.from, true);
    v.setUint32(8 + k * ACK_BYTES, a.to, true);
    v.setFloat64(12 + k * ACK_BYTES, a.moved, true);
  });
  return out;
}

export function readAckFrame(frame: Uint8Array, ack: (from: number, to: number, moved: number) => void): void {
  const v = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const n = v.getUint32(0, true);
  for (let k = 0; k < n; k++) ack(v.getUint32(4 + k * ACK_BYTES, true), v.getUint32(8 + k * ACK_BYTES, true), v.getFloat64(12 + k * ACK_BYTES, true));
}
