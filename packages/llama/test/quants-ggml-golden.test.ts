// Every ggml block type wafer reads decodes ggml's own quantised bytes to exactly ggml's floats (golden data
// made by ggml's quantize and to_float, test/golden/ggml-quants), and wafer's encoders are at least as close
// to the source matrix as ggml's reference quantisers.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GGML_CODECS } from '../src/checkpoint/index.js';
import { bits } from './checkpoint-fixtures.js';

const DIR = new URL('./golden/ggml-quants/', import.meta.url);
const read = (name: string) => new Uint8Array(readFileSync(new URL(name, DIR)));
const floats = (name: string) => new Float32Array(read(name).buffer);

interface ManifestRow {
  type: string;
  id: number;
  blockValues: number;
  blockBytes: number;
  rows: number;
  cols: number;
  quantBytes: number;
}

const manifest: ManifestRow[] = readFileSync(new URL('manifest.tsv', DIR), 'utf8').trim().split('\n').slice(1).map((line) => {
  const [type, id, blockValues, blockBytes, rows, cols, quantBytes] = line.split('\t');
  return { type, id: +id, blockValues: +blockValues, blockBytes: +blockBytes, rows: +rows, cols: +cols, quantBytes: +quantBytes };
});
const source = floats('source-f32.bin');

/** Root-mean-square difference. */
function rmse(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return Math.sqrt(sum / a.length);
}

/**
 * Our encoders fit scales by least squares; on this matrix they measured 0.89–1.01× ggml's reference error
 * (IQ4_NL 1.008, the worst). 1.05 leaves room for nothing but that.
 */
const ENCODER_ERROR_RATIO = 1.05;

describe('ggml block types against ggml', () => {
  it('the golden data covers every type wafer decodes', () => {
    expect(manifest.map((r) => r.id).sort((a, b) => a - b)).toEqual([...GGML_CODECS.keys()].filter((id) => id !== 0).sort((a, b) => a - b));
    expect(source.length).toBe(8 * 512);
  });

  it.each(manifest.map((r) => [r.type, r] as const))('%s: block geometry and dequantisation bit for bit', (_, row) => {
    const codec = GGML_CODECS.get(row.id)!;
    expect(codec.name.toLowerCase()).toBe(row.type.toLowerCase());
    expect([codec.blockValues, codec.blockBytes]).toEqual([row.blockValues, row.blockBytes]);
    const quant = read(`${row.type}.quant`);
    expect(quant.length).toBe(row.quantBytes);
    const out = new Float32Array(row.rows * row.cols);
    codec.decode(quant, out);
    const want = bits(floats(`${row.type}.dequant-f32`));
    const got = bits(out);
    const first = got.findIndex((b, i) => b !== want[i]);
    expect(first, `first differing value at ${first}`).toBe(-1);
  });

  it.each(manifest.map((r) => [r.type, r] as const))(`%s: our encoding's error is at most ${ENCODER_ERROR_RATIO}× ggml's`, (_, row) => {
    const codec = GGML_CODECS.get(row.id)!;
    const ours = new Float32Array(source.length);
    const encoded = codec.encode(source);
    expect(encoded.length).toBe(row.quantBytes);
    codec.decode(encoded, ours);
    const ggmlError = rmse(floats(`${row.type}.dequant-f32`), source);
    expect(rmse(ours, source)).toBeLessThanOrEqual(ggmlError * ENCODER_ERROR_RATIO);
  });
});
