// Counts the bytes a fuzz input makes wafer allocate: the global ArrayBuffer, typed-array and Array
// constructors are replaced by proxies that add up every fresh allocation (not views of existing buffers).
// Instances stay genuine (same prototypes), so `instanceof`, Array.isArray and species behave as before.

const TYPED_ARRAYS = [
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
];

let allocatedBytes = 0;
let installed = false;

/** Bytes a typed-array constructor call allocates: none for a view of a buffer, else length × element size. */
function typedArrayBytes(bytesPerElement, args) {
  const [first] = args;
  if (typeof first === 'number') return first * bytesPerElement;
  if (first instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && first instanceof SharedArrayBuffer)) return 0;
  if (first !== null && typeof first === 'object' && typeof first.length === 'number') return first.length * bytesPerElement;
  return 0; // an iterable without a length: counted as it is filled, by nobody (rare, and bounded by the iteration)
}

function meter(name, bytesOf) {
  const original = globalThis[name];
  globalThis[name] = new Proxy(original, {
    construct(target, args, newTarget) {
      const bytes = bytesOf(args);
      if (Number.isFinite(bytes) && bytes > 0) allocatedBytes += bytes;
      return Reflect.construct(target, args, newTarget);
    },
  });
}

/** Installs the meter in this process (idempotent). Call before the code under test runs. */
export function installAllocationMeter() {
  if (installed) return;
  installed = true;
  meter('ArrayBuffer', ([bytes]) => (typeof bytes === 'number' ? bytes : 0));
  meter('SharedArrayBuffer', ([bytes]) => (typeof bytes === 'number' ? bytes : 0));
  for (const name of TYPED_ARRAYS) {
    const perElement = globalThis[name].BYTES_PER_ELEMENT;
    meter(name, (args) => typedArrayBytes(perElement, args));
  }
  meter('Array', (args) => (args.length === 1 && typeof args[0] === 'number' ? args[0] * 8 : 0));
}

/** Bytes allocated since the last reset, and resets the count. */
export function takeAllocatedBytes() {
  const bytes = allocatedBytes;
  allocatedBytes = 0;
  return bytes;
}
