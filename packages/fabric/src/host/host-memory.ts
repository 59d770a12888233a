// Host memory: how much this process may still allocate, and how much the fabric itself takes for a mesh.
// The mesh engine checks a placement against these before it starts (HOST_MEMORY, naming the bytes), rather
// than being killed by the operating system halfway through loading.

import { freemem, totalmem } from 'node:os';
import { WaferError, type MeshShape } from '@wafer/arch';

/**
 * What the tiles keep per core (state arrays, link counters, the core's handle, generator and buffer map):
 * 2.3 KB measured on 2-thread fabrics from 128×128 to 256×256 (RSS after two runs), rounded up.
 */
export const FABRIC_BYTES_PER_CORE = 3 * 1024;
/** A worker thread's own cost (its V8 isolate, the tile task, its first local heap): 25 MB measured, rounded up. */
export const FABRIC_BYTES_PER_THREAD = 32 * 2 ** 20;

/** Host bytes a fabric of `mesh` on `threads` workers takes before anything is placed. */
export function fabricHostBytes(mesh: MeshShape, threads: number): number {
  return FABRIC_BYTES_PER_CORE * mesh.rows * mesh.cols + FABRIC_BYTES_PER_THREAD * threads;
}

/** How much memory this process may still use, and where that figure comes from (for messages). */
export interface HostMemory {
  bytes: number;
  source: string;
}

/**
 * The memory available now: the operating system's available memory (MemAvailable on Linux), within the
 * process's cgroup limit when it has one, and at most WAFER_HOST_MEMORY_BYTES when that is set (to share a
 * machine, or in tests). Typed arrays and WebAssembly memories, where the weights live, are outside V8's heap
 * and its heap_size_limit; the operating system is what refuses them.
 */
export function hostMemoryAvailable(env: NodeJS.ProcessEnv = process.env): HostMemory {
  let best: HostMemory = { bytes: freemem(), source: 'available system memory' };
  const constrained = process.constrainedMemory?.() ?? 0;
  if (constrained > 0 && constrained < totalmem()) {
    const room = Math.max(0, constrained - process.memoryUsage().rss);
    if (room < best.bytes) best = { bytes: room, source: `room left in the process's ${constrained}-byte memory limit` };
  }
  const cap = env.WAFER_HOST_MEMORY_BYTES;
  if (cap !== undefined && cap !== '') {
    const bytes = Number(cap);
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new WaferError('USAGE', `WAFER_HOST_MEMORY_BYTES=${cap} is not a whole number of bytes`);
    if (bytes < best.bytes) best = { bytes, source: 'WAFER_HOST_MEMORY_BYTES' };
  }
  return best;
}

/** "1.5 GiB (1610612736 bytes)". */
export function describeBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let u = 0;
  while (value >= 1024 && u < units.length - 1) {
    value /= 1024;
    u++;
  }
  return u === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[u]} (${bytes} bytes)`;
}

/**
 * Throws HOST_MEMORY when `needBytes` (for `what`, e.g. "placing model.gguf on a 8x8 mesh") exceed the memory
 * this process may still use.
 */
export function checkHostMemory(needBytes: number, what: string): void {
  const available = hostMemoryAvailable();
  if (needBytes <= available.bytes) return;
  throw new WaferError('HOST_MEMORY', `${what} needs about ${describeBytes(needBytes)} of host memory, more than the ${describeBytes(available.bytes)} this process may still use (${available.source}); use a smaller model or mesh, or free memory`);
}
