// Bad or unsupported GGUF tensor types and RoPE factors are one-line errors naming the tensor: IQ2/IQ3/IQ1
// and ternary types are UNSUPPORTED, a K-quant with rows that are not whole 256-value blocks and an unknown
// type id are BAD_HEADER, and so is a rope_freqs.weight of the wrong length; parseGguf, a pure function of
// bytes, throws nothing but WaferErrors on truncated or corrupted headers.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WaferError } from '@wafer/arch';
import { loadModel, parseGguf, writeGguf } from '../src/checkpoint/index.js';
import { NormalRng, shapeFromFlags, synthShape, synthesize } from '../src/synth/index.js';
import { STORIES_GGUF, expectWaferError, floatEntry, stringEntry, tempDir, tensorInfoOffsets, withMetadata } from './checkpoint-fixtures.js';

const tmp = tempDir();
afterAll(tmp.remove);

/** A small F32 GGUF whose matrices all have 256-value rows, so any block type's geometry fits. */
const wide = join(tmp.dir, 'wide.gguf');
writeGguf(wide, synthesize(shapeFromFlags({ dim: 256, hidden: 256, layers: 1, heads: 4, kvHeads: 4, vocab: 32, seq: 16 }), 1), { dtype: 'F32' });
/** llama-gqa-tiny (Llama 3 RoPE scaling) as GGUF: it carries rope_freqs.weight. */
const tiny = join(tmp.dir, 'tiny.gguf');
writeGguf(tiny, synthesize(synthShape('llama-gqa-tiny'), 1), { dtype: 'F32' });

function patched(source: string, name: string, patch: (bytes: Buffer) => void): string {
  const bytes = readFileSync(source);
  patch(bytes);
  const path = join(tmp.dir, name);
  writeFileSync(path, bytes);
  return path;
}

const setType = (tensor: string, type: number) => (b: Buffer) => void b.writeUInt32LE(type, tensorInfoOffsets(b, tensor).type);

describe('GGUF tensor types wafer does not read', () => {
  it.each([
    [16, 'IQ2_XXS'], [17, 'IQ2_XS'], [22, 'IQ2_S'], [18, 'IQ3_XXS'], [21, 'IQ3_S'], [19, 'IQ1_S'], [29, 'IQ1_M'], [34, 'TQ1_0'], [35, 'TQ2_0'],
  ] as const)('type %i (%s) → UNSUPPORTED naming the tensor and the type', (id, name) => {
    const path = patched(wide, `${name}.gguf`, setType('blk.0.ffn_up.weight', id));
    const error = expectWaferError(() => loadModel(path), 'UNSUPPORTED', path, 'blk.0.ffn_up.weight', name);
    expect(error.message).not.toContain('\n');
  });

  it('a K-quant tensor whose rows are not whole 256-value blocks → BAD_HEADER naming it', () => {
    const path = patched(STORIES_GGUF, 'q4k-64.gguf', setType('blk.0.attn_q.weight', 12));
    expectWaferError(() => loadModel(path), 'BAD_HEADER', path, 'blk.0.attn_q.weight', 'Q4_K', 'rows of 64 values', '256-value block');
  });

  it('an unknown type id → BAD_HEADER naming the tensor', () => {
    const path = patched(wide, 'type-99.gguf', setType('blk.0.attn_k.weight', 99));
    expectWaferError(() => loadModel(path), 'BAD_HEADER', path, 'blk.0.attn_k.weight', 'type id 99');
  });
});

describe('bad rope_freqs.weight', () => {
  it('of the wrong length → BAD_HEADER naming it and the number of rotary pairs', () => {
    const path = patched(tiny, 'short-freqs.gguf', (b) => void b.writeBigUInt64LE(2n, tensorInfoOffsets(b, 'rope_freqs.weight').dims));
    expectWaferError(() => loadModel(path), 'BAD_HEADER', path, 'rope_freqs.weight', '[2]', '4 rotary pairs');
  });

  it('not F32 → UNSUPPORTED naming it', () => {
    const path = patched(tiny, 'f16-freqs.gguf', setType('rope_freqs.weight', 1));
    expectWaferError(() => loadModel(path), 'UNSUPPORTED', path, 'rope_freqs.weight', 'F16');
  });

  it('with a non-positive factor → BAD_HEADER naming it', () => {
    const path = patched(tiny, 'negative-freqs.gguf', (b) => {
      const file = parseGguf(new Uint8Array(b), 'fixture');
      const info = file.tensors.find((t) => t.name === 'rope_freqs.weight')!;
      b.writeFloatLE(-1, file.dataOffset + info.offset + 4);
    });
    expectWaferError(() => loadModel(path), 'BAD_HEADER', path, 'rope_freqs.weight', 'pair 1');
  });

  it('a yarn scaling type → UNSUPPORTED naming it', () => {
    const path = join(tmp.dir, 'yarn.gguf');
    writeFileSync(path, withMetadata(readFileSync(tiny), [stringEntry('llama.rope.scaling.type', 'yarn')]));
    expectWaferError(() => loadModel(path), 'UNSUPPORTED', path, 'llama.rope.scaling.type "yarn"');
  });

  it('linear scaling multiplies every pair\'s factor (llama.cpp divides the frequency by both)', () => {
    const path = join(tmp.dir, 'linear.gguf');
    writeFileSync(path, withMetadata(readFileSync(tiny), [stringEntry('llama.rope.scaling.type', 'linear'), floatEntry('llama.rope.scaling.factor', 4)]));
    const plain = loadModel(tiny).config.ropeFreqFactors!;
    expect(Array.from(loadModel(path).config.ropeFreqFactors!)).toEqual(Array.from(plain, (f) => Math.fround(f * 4)));
  });
});

describe('parseGguf is a pure function of bytes that throws only WaferErrors', () => {
  const bytes = new Uint8Array(readFileSync(tiny));
  const headerEnd = parseGguf(bytes, 'tiny').dataOffset;

  it('every truncation inside the header is FILE_TRUNCATED or BAD_MAGIC', () => {
    for (let length = 0; length < headerEnd; length += 7) {
      let caught: unknown;
      try {
        parseGguf(bytes.subarray(0, length), 'cut');
      } catch (err) {
        caught = err;
      }
      expect(caught, `length ${length}`).toBeInstanceOf(WaferError);
      expect(['FILE_TRUNCATED', 'BAD_MAGIC']).toContain((caught as WaferError).code);
    }
  });

  it('300 seeded single-byte corruptions of the header parse or fail with a WaferError', () => {
    const rng = new NormalRng(7);
    for (let i = 0; i < 300; i++) {
      const copy = bytes.slice();
      copy[rng.nextU32() % headerEnd] = rng.nextU32() & 0xff;
      try {
        parseGguf(copy, 'corrupt');
      } catch (err) {
        expect(err, `corruption ${i}`).toBeInstanceOf(WaferError);
      }
    }
  });
});
