// A bounds-checked little-endian reader over file bytes. Every read names the field it is for, so a
// short or corrupt file fails with FILE_TRUNCATED / BAD_HEADER naming the file, the field and the offset.

import { WaferError } from '@wafer/arch';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads little-endian scalars and strings sequentially from `bytes`, never past its end. */
export class ByteCursor {
  readonly bytes: Uint8Array;
  readonly path: string;
  private readonly view: DataView;
  offset: number;

  constructor(bytes: Uint8Array, path: string, offset = 0) {
    this.bytes = bytes;
    this.path = path;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offset = offset;
  }

  /** Bytes left after the cursor. */
  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  /** Throws FILE_TRUNCATED unless `byteCount` more bytes are available for `field`. */
  need(byteCount: number, field: string): void {
    if (byteCount > this.remaining) {
      throw new WaferError(
        'FILE_TRUNCATED',
        `${this.path}: file ends inside ${field} (needs ${byteCount} bytes at offset ${this.offset}, ` +
          `file has ${this.bytes.length})`,
      );
    }
  }

  /**
   * Throws FILE_TRUNCATED unless `count` items of at least `minItemBytes` each could fit in the rest of the
   * file; called before allocating anything sized by `count`.
   */
  needCount(count: number, minItemBytes: number, field: string): void {
    if (count * minItemBytes > this.remaining) {
      throw new WaferError(
        'FILE_TRUNCATED',
        `${this.path}: ${field} is ${count}, more than the ${this.remaining} bytes left in the file can hold`,
      );
    }
  }

  u8(field: string): number {
    this.need(1, field);
    return this.view.getUint8(this.offset++);
  }

  i8(field: string): number {
    this.need(1, field);
    return this.view.getInt8(this.offset++);
  }

  u16(field: string): number {
    this.need(2, field);
    const v = this.view.getUint16(this.offset, true);
    this.offset += 2;
    return v;
  }

  i16(field: string): number {
    this.need(2, field);
    const v = this.view.getInt16(this.offset, true);
    this.offset += 2;
    return v;
  }

  u32(field: string): number {
    this.need(4, field);
    const v = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return v;
  }

  i32(field: string): number {
    this.need(4, field);
    const v = this.view.getInt32(this.offset, true);
    this.offset += 4;
    return v;
  }

  f32(field: string): number {
    this.need(4, field);
    const v = this.view.getFloat32(this.offset, true);
    this.offset += 4;
    return v;
  }

  f64(field: string): number {
    this.need(8, field);
    const v = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    return v;
  }

  u64(field: string): bigint {
    this.need(8, field);
    const v = this.view.getBigUint64(this.offset, true);
    this.offset += 8;
    return v;
  }

  i64(field: string): bigint {
    this.need(8, field);
    const v = this.view.getBigInt64(this.offset, true);
    this.offset += 8;
    return v;
  }

  /** A u64 that must fit in a JS number (2^53); larger values are BAD_HEADER. */
  u64Number(field: string): number {
    const v = this.u64(field);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new WaferError('BAD_HEADER', `${this.path}: ${field} is ${v}, which is absurdly large`);
    }
    return Number(v);
  }

  /** `byteCount` raw bytes as a subarray (no copy). */
  take(byteCount: number, field: string): Uint8Array {
    this.need(byteCount, field);
    const out = this.bytes.subarray(this.offset, this.offset + byteCount);
    this.offset += byteCount;
    return out;
  }

  /** A UTF-8 string of `byteCount` bytes; invalid UTF-8 is BAD_HEADER. */
  utf8(byteCount: number, field: string): string {
    const raw = this.take(byteCount, field);
    try {
      return utf8.decode(raw);
    } catch {
      throw new WaferError('BAD_HEADER', `${this.path}: ${field} is not valid UTF-8 (at offset ${this.offset - byteCount})`);
    }
  }
}
