// A growable little-endian byte buffer for writing file headers (GGUF metadata, safetensors length prefix).

const utf8 = new TextEncoder();

/** Appends little-endian scalars, strings and raw bytes; `bytes()` returns everything written. */
export class ByteWriter {
  private buffer = new Uint8Array(1024);
  private view = new DataView(this.buffer.buffer);
  private length = 0;

  /** Bytes written so far. */
  get size(): number {
    return this.length;
  }

  u32(value: number): this {
    this.reserve(4).setUint32(this.length - 4, value, true);
    return this;
  }

  i32(value: number): this {
    this.reserve(4).setInt32(this.length - 4, value, true);
    return this;
  }

  u64(value: number): this {
    this.reserve(8).setBigUint64(this.length - 8, BigInt(value), true);
    return this;
  }

  f32(value: number): this {
    this.reserve(4).setFloat32(this.length - 4, value, true);
    return this;
  }

  raw(bytes: Uint8Array): this {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length - bytes.length);
    return this;
  }

  /** A GGUF string: uint64 byte length, then UTF-8 bytes. */
  ggufString(text: string): this {
    const encoded = utf8.encode(text);
    return this.u64(encoded.length).raw(encoded);
  }

  /** Zero bytes up to the next multiple of `alignment`. */
  padTo(alignment: number): this {
    const padded = Math.ceil(this.length / alignment) * alignment;
    this.reserve(padded - this.length);
    return this;
  }

  /** A copy-free view of the bytes written. */
  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  /** Grows the buffer (new bytes are zero), advances the length, and returns the view to fill. */
  private reserve(byteCount: number): DataView {
    const needed = this.length + byteCount;
    if (needed > this.buffer.length) {
      const grown = new Uint8Array(Math.max(needed, 2 * this.buffer.length));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
      this.view = new DataView(grown.buffer);
    }
    this.length = needed;
    return this.view;
  }
}
