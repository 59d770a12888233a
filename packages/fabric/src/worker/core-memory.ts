// The local memory of a tile's cores: named Float32Array buffers per core, counted against the machine's
// SRAM per core (bytesPerElement each value), with the peak of the current run. The blocks themselves live in
// the thread's local heap (arch's LocalHeap), where the WebAssembly local kernels address them directly.

import { localHeap, WaferError, type MachineSpec } from '@wafer/arch';

export class CoreMemory {
  // name → per-core blocks: one small, hot map for the tile (a program looks its weights up by name on every
  // core, every step), instead of a map per core.
  private readonly buffers = new Map<string, (Float32Array | undefined)[]>();
  readonly usedBytes: Float64Array;
  readonly peakBytes: Float64Array; // since the start of the current run

  constructor(
    n: number,
    private readonly machine: MachineSpec,
    private readonly unlimited: boolean,
    private readonly nameOf: (i: number) => string,
  ) {
    this.usedBytes = new Float64Array(n);
    this.peakBytes = new Float64Array(n);
  }

  get(i: number, name: string): Float32Array | undefined {
    const blocks = this.buffers.get(name);
    return blocks === undefined ? undefined : blocks[i];
  }

  has(i: number, name: string): boolean {
    return this.get(i, name) !== undefined;
  }

  /** A new zeroed buffer of n values in core i's SRAM (replacing one of the same name); checks the SRAM budget. */
  alloc(i: number, name: string, n: number): Float32Array {
    return this.store(i, name, this.heap === null ? new Float32Array(n) : this.heap.alloc(n));
  }

  /** Places a copy of `data` in core i's SRAM under `name` (replacing one of the same name). */
  place(i: number, name: string, data: Float32Array): Float32Array {
    if (this.heap === null) return this.store(i, name, data);
    const block = this.heap.alloc(data.length);
    block.set(data);
    return this.store(i, name, block);
  }

  private readonly heap = localHeap();

  /** Stores a block in core i's SRAM, replacing one of the same name; checks the SRAM budget. */
  private store(i: number, name: string, data: Float32Array): Float32Array {
    let blocks = this.buffers.get(name);
    if (blocks === undefined) this.buffers.set(name, (blocks = new Array(this.usedBytes.length)));
    const old = blocks[i];
    if (old !== undefined) {
      this.usedBytes[i] -= old.length * this.machine.bytesPerElement;
      this.heap?.release(old);
    }
    blocks[i] = data;
    const used = (this.usedBytes[i] += data.length * this.machine.bytesPerElement);
    if (used > this.peakBytes[i]) this.peakBytes[i] = used;
    if (used > this.machine.sramBytesPerCore && !this.unlimited) {
      throw new WaferError('SRAM_OVERFLOW', `${this.nameOf(i)} needs ${used} bytes of SRAM for '${name}' and more, over the ${this.machine.name} budget of ${this.machine.sramBytesPerCore} bytes per core (use a larger mesh, or --sram unlimited to only report it)`);
    }
    return data;
  }

  release(i: number, name: string): void {
    const blocks = this.buffers.get(name);
    const old = blocks?.[i];
    if (old === undefined) return;
    this.usedBytes[i] -= old.length * this.machine.bytesPerElement;
    blocks![i] = undefined;
    this.heap?.release(old);
  }

  /** Starts a run: the peak restarts from what is held now. */
  resetPeaks(): void {
    this.peakBytes.set(this.usedBytes);
  }
}

