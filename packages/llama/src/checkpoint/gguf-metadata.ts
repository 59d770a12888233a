// Typed access to GGUF metadata: each getter checks the declared value type and names the key and the file
// when a value is missing or has the wrong type.

import { WaferError } from '@wafer/arch';
import { GGUF_VALUE_TYPE_NAMES, GgufValueType, type GgufArray, type GgufFile, type GgufValueTypeId } from './gguf-types.js';

const INTEGER_TYPES: readonly GgufValueTypeId[] = [
  GgufValueType.UINT8, GgufValueType.INT8, GgufValueType.UINT16, GgufValueType.INT16,
  GgufValueType.UINT32, GgufValueType.INT32, GgufValueType.UINT64, GgufValueType.INT64,
];
const FLOAT_TYPES: readonly GgufValueTypeId[] = [GgufValueType.FLOAT32, GgufValueType.FLOAT64];

/** Reads metadata of one parsed file with type checks. `get*` return undefined when the key is absent. */
export class GgufMetadata {
  constructor(private readonly file: GgufFile) {}

  has(key: string): boolean {
    return this.file.metadata.has(key);
  }

  /** A non-negative integer of any integer type (64-bit values must fit in 2^53). */
  getCount(key: string): number | undefined {
    const entry = this.file.metadata.get(key);
    if (!entry) return undefined;
    if (!INTEGER_TYPES.includes(entry.type)) this.wrongType(key, entry.type, 'an integer');
    const value = Number(entry.value);
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new WaferError('BAD_HEADER', `${this.file.path}: metadata ${key} = ${String(entry.value)} is not a usable count`);
    }
    return value;
  }

  /** A float32/float64 value. */
  getFloat(key: string): number | undefined {
    const entry = this.file.metadata.get(key);
    if (!entry) return undefined;
    if (!FLOAT_TYPES.includes(entry.type)) this.wrongType(key, entry.type, 'a float');
    return entry.value as number;
  }

  getString(key: string): string | undefined {
    const entry = this.file.metadata.get(key);
    if (!entry) return undefined;
    if (entry.type !== GgufValueType.STRING) this.wrongType(key, entry.type, 'a string');
    return entry.value as string;
  }

  /** An array whose items have one of `itemTypes`. */
  getArray(key: string, itemTypes: readonly GgufValueTypeId[]): GgufArray | undefined {
    const entry = this.file.metadata.get(key);
    if (!entry) return undefined;
    if (entry.type !== GgufValueType.ARRAY) this.wrongType(key, entry.type, 'an array');
    const array = entry.value as GgufArray;
    if (!itemTypes.includes(array.itemType)) {
      const want = itemTypes.map((t) => GGUF_VALUE_TYPE_NAMES[t]).join(' or ');
      const got = GGUF_VALUE_TYPE_NAMES[array.itemType];
      throw new WaferError('BAD_HEADER', `${this.file.path}: metadata ${key} is an array of ${got}, expected ${want}`);
    }
    return array;
  }

  /** Like the getters, but a missing key is BAD_HEADER. */
  require<T>(key: string, getter: (key: string) => T | undefined): T {
    const value = getter.call(this, key);
    if (value === undefined) throw new WaferError('BAD_HEADER', `${this.file.path}: required metadata ${key} is missing`);
    return value;
  }

  private wrongType(key: string, type: GgufValueTypeId, expected: string): never {
    throw new WaferError('BAD_HEADER', `${this.file.path}: metadata ${key} has type ${GGUF_VALUE_TYPE_NAMES[type]}, expected ${expected}`);
  }
}

