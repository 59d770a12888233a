// Readers given a Node Buffer (what readFileSync and the fuzzer hand over) read exactly what they read from a
// plain Uint8Array: Buffer.prototype.slice is a view, not a copy, so a reader that copied with slice() read the
// rest of the underlying memory too (found by replaying the fuzz seeds: GGUF float arrays spanned the file).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { float32FromBytes } from '../src/checkpoint/dtype-codec.js';
import { parseGguf } from '../src/checkpoint/gguf-parse.js';

const GGUF = new URL('../../../models/stories260K/stories260K.gguf', import.meta.url);

describe('Buffer input', () => {
  it('GGUF metadata arrays from a Buffer hold exactly their own values', () => {
    const file = readFileSync(GGUF); // a Buffer
    const inside = Buffer.concat([Buffer.alloc(3), file]).subarray(3); // the same bytes at an odd offset of a larger buffer
    const plain = parseGguf(new Uint8Array(file), 'plain.gguf');
    for (const bytes of [file, inside]) {
      const parsed = parseGguf(bytes, 'buffer.gguf');
      const scores = parsed.metadata.get('tokenizer.ggml.scores')!.value as { values: Float32Array };
      const expected = plain.metadata.get('tokenizer.ggml.scores')!.value as { values: Float32Array };
      expect(scores.values.length).toBe(512);
      expect(scores.values).toEqual(expected.values);
    }
  });

  it('float32 bytes at an unaligned offset of a Buffer decode to their own values', () => {
    const values = Float32Array.of(1.5, -2, 3.25);
    const buffer = Buffer.concat([Buffer.alloc(1), Buffer.from(values.buffer), Buffer.alloc(64, 0xff)]);
    expect(float32FromBytes(buffer.subarray(1, 13))).toEqual(values);
  });
});
