// The thread's local heap: zeroed blocks, reuse by exact size, views that survive growth, and plain arrays when full.
import { describe, expect, it } from 'vitest';
import { LocalHeap } from '@wafer/arch';

describe('local heap', () => {
  it('hands out zeroed, 16-byte aligned blocks and reuses freed ones (zeroed again)', () => {
    const heap = new LocalHeap();
    const a = heap.alloc(5);
    expect(a.byteOffset % 16).toBe(0);
    a.fill(7);
    heap.release(a);
    const b = heap.alloc(5);
    expect(b.byteOffset).toBe(a.byteOffset);
    expect(Array.from(b)).toEqual([0, 0, 0, 0, 0]);
    expect(heap.owns(b)).toBe(true);
    expect(heap.owns(new Float32Array(5))).toBe(false);
  });

  it('keeps earlier blocks valid when the memory grows', () => {
    const heap = new LocalHeap(65536);
    const first = heap.alloc(16);
    first.fill(3);
    const big = heap.alloc(1 << 20); // forces growth past the first page
    big[big.length - 1] = 1;
    expect(first[15]).toBe(3);
    expect(heap.owns(first)).toBe(true);
    expect(heap.owns(big)).toBe(true);
    expect(heap.usedBytes).toBeGreaterThan(4 << 20);
  });

  it('falls back to plain arrays when the memory is full, and counts them', () => {
    const heap = new LocalHeap(65536, 4 * 65536);
    const inside = heap.alloc(60_000); // 240,000 bytes: grows to the 4-page limit
    const outside = heap.alloc(10_000); // no room left
    expect(heap.owns(inside)).toBe(true);
    expect(heap.owns(outside)).toBe(false);
    expect(outside.length).toBe(10_000);
    expect(heap.fallbacks).toBe(1);
  });
});
