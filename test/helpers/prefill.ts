// Shared by the prefill tests: a prompt longer than the golden ones, and the decode cache gathered off a mesh.
import type { MeshLlama } from '@wafer/llama';

/** 55 tokens with BOS for stories260K's tok512. */
export const LONG_PROMPT = 'Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her friends. One day, she saw a big red ball under a tree.';

/** One core's slice of one layer's cache: only its first n entries (the rest of the buffers is stale). */
export interface CoreCache {
  n: number;
  positions: number[];
  keys: Float32Array;
  values: Float32Array;
}

/** Every layer's cache on every core (index y·cols + x), cut to the entries each core holds. */
export async function gatherCache(mesh: MeshLlama): Promise<CoreCache[][]> {
  const { nLayers, kvX, cols } = mesh.layout;
  const layers: CoreCache[][] = [];
  for (let layer = 0; layer < nLayers; layer++) {
    const n = await mesh.fabric.gather(`L${layer}.kv.n`);
    const p = await mesh.fabric.gather(`L${layer}.kv.p`);
    const k = await mesh.fabric.gather(`L${layer}.kv.k`);
    const v = await mesh.fabric.gather(`L${layer}.kv.v`);
    layers.push(
      n.map((count, i) => {
        const c = count![0];
        const b = kvX.sizes[i % cols];
        return { n: c, positions: Array.from(p[i]!.subarray(0, c)), keys: k[i]!.slice(0, c * b), values: v[i]!.slice(0, c * b) };
      }),
    );
  }
  return layers;
}

/**
 * Largest difference between the keys and values of two gathered caches (counts must match), relative to
 * max(1, |b|): float32 sums in different orders differ by a few ulps, and the keys reach |26| on stories260K.
 */
export function cacheError(a: CoreCache[][], b: CoreCache[][]): number {
  let e = 0;
  const rel = (x: number, y: number) => Math.abs(x - y) / Math.max(1, Math.abs(y));
  a.forEach((layer, l) =>
    layer.forEach((core, i) => {
      const other = b[l][i];
      for (let j = 0; j < core.keys.length; j++) e = Math.max(e, rel(core.keys[j], other.keys[j]), rel(core.values[j], other.values[j]));
    }),
  );
  return e;
}
