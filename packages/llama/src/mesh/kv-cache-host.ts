// Host side of the shift-based cache: writes n given positions straight into the decode layout, as n
// decode steps would have left them (row r holds its rowCount(n) positions in order, oldest first).

import type { DecodeLayout } from './layout.js';
import { rowCount } from './layout.js';
import type { Placer } from './place-weights.js';

/** keys, values: [n × kvDim] (RoPE already applied to keys), positions 0..n-1 of `layer`. */
export async function placeKvCache(mesh: Placer, l: DecodeLayout, layer: number, keys: Float32Array, values: Float32Array, n: number): Promise<void> {
  const kvDim = l.nKvHeads * l.headDim;
  const first = (y: number) => {
    let s = 0;
    for (let r = 0; r < y; r++) s += rowCount(n, l.rows, r);
    return s;
  };
  const starts = Array.from({ length: l.rows }, (_, y) => first(y));
  const cut = (src: Float32Array) => (x: number, y: number) => {
    const b = l.kvX.sizes[x];
    const out = new Float32Array(l.kvCapacity * b);
    const count = rowCount(n, l.rows, y);
    for (let t = 0; t < count; t++) out.set(src.subarray((starts[y] + t) * kvDim + l.kvX.offsets[x], (starts[y] + t) * kvDim + l.kvX.offsets[x] + b), t * b);
    return out;
  };
  const name = `L${layer}.kv`;
  await mesh.place(`${name}.k`, cut(keys));
  await mesh.place(`${name}.v`, cut(values));
  await mesh.place(`${name}.p`, (_x, y) => {
    const p = new Float32Array(l.kvCapacity);
    for (let t = 0; t < rowCount(n, l.rows, y); t++) p[t] = starts[y] + t;
    return p;
  });
  await mesh.place(`${name}.n`, (_x, y) => Float32Array.of(rowCount(n, l.rows, y)));
}
