// Reading checkpoint files from disk: whole-file reads into a fresh, 0-aligned ArrayBuffer (so float32
// tensors can be views), ranged reads of one tensor at a time, short prefix reads for format sniffing,
// and errors that name the file.

import { closeSync, fstatSync, openSync, readSync, statSync, writeSync, type Stats } from 'node:fs';
import { constants as bufferConstants } from 'node:buffer';
import { endianness } from 'node:os';
import { WaferError } from '@wafer/arch';

/** The largest file we read whole: one typed array can hold at most this many bytes in Node 20. */
export const MAX_CHECKPOINT_BYTES = bufferConstants.MAX_LENGTH;

/** fs.readSync reads at most 2 GiB - 1 per call. */
const READ_CHUNK_BYTES = 1 << 30;

/** stat() a path, turning ENOENT into FILE_NOT_FOUND. `what` says what the path should be ("checkpoint"). */
export function statPath(path: string, what: string): Stats {
  try {
    return statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new WaferError('FILE_NOT_FOUND', `${what} not found: ${path}`, { cause: err });
    }
    throw new WaferError('FILE_NOT_FOUND', `cannot read ${what} ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** Checks that a regular file exists (FILE_NOT_FOUND otherwise) and returns its size in bytes. */
export function fileSizeBytes(path: string, what: string): number {
  const stats = statPath(path, what);
  if (!stats.isFile()) throw new WaferError('FILE_NOT_FOUND', `${what} ${path} is not a regular file`);
  return stats.size;
}

/** Reads up to `maxBytes` from the start of a file (fewer if the file is shorter). */
export function readFilePrefix(path: string, maxBytes: number, what: string): Uint8Array {
  const fd = openFile(path, what);
  try {
    const size = fstatSync(fd).size;
    const bytes = new Uint8Array(Math.min(size, maxBytes));
    readFully(fd, bytes, path);
    return bytes;
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a whole file into a new Uint8Array whose byteOffset is 0, so 4-byte-aligned float32 data inside it
 * can be viewed without copying. Files over MAX_CHECKPOINT_BYTES are UNSUPPORTED.
 */
export function readFileBytes(path: string, what: string): Uint8Array {
  assertLittleEndianHost();
  const fd = openFile(path, what);
  try {
    const size = fstatSync(fd).size;
    if (size > MAX_CHECKPOINT_BYTES) {
      throw new WaferError(
        'UNSUPPORTED',
        `${what} ${path} is ${size} bytes; wafer reads files of at most ${MAX_CHECKPOINT_BYTES} bytes`,
      );
    }
    const bytes = new Uint8Array(size);
    readFully(fd, bytes, path);
    return bytes;
  } finally {
    closeSync(fd);
  }
}

/** Random access to a file's bytes: each read returns a fresh, 0-aligned array (or a view of bytes in memory). */
export interface ByteSource {
  /** Size of the whole file in bytes. */
  readonly size: number;
  /** Bytes [offset, offset + length), which the caller has checked lie inside the file. */
  read(offset: number, length: number): Uint8Array;
  close(): void;
}

/** Opens `path` for ranged reads (FILE_NOT_FOUND when missing). Close it when done. */
export function openByteSource(path: string, what: string): ByteSource {
  assertLittleEndianHost();
  const fd = openFile(path, what);
  const size = fstatSync(fd).size;
  return {
    size,
    read(offset: number, length: number): Uint8Array {
      if (length > MAX_CHECKPOINT_BYTES) {
        throw new WaferError('UNSUPPORTED', `${path}: a read of ${length} bytes is over the ${MAX_CHECKPOINT_BYTES}-byte limit of one array`);
      }
      const bytes = new Uint8Array(length);
      readFully(fd, bytes, path, offset);
      return bytes;
    },
    close: () => closeSync(fd),
  };
}

/** A ByteSource over bytes already in memory (reads are views). */
export function memoryByteSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: (offset, length) => bytes.subarray(offset, offset + length), close: () => undefined };
}

/** Every reader and writer copies little-endian file bytes straight into typed arrays. */
export function assertLittleEndianHost(): void {
  if (endianness() !== 'LE') {
    throw new WaferError('UNSUPPORTED', 'checkpoint files are little-endian and this host is big-endian');
  }
}

function openFile(path: string, what: string): number {
  fileSizeBytes(path, what);
  return openSync(path, 'r');
}

function readFully(fd: number, into: Uint8Array, path: string, position = 0): void {
  let done = 0;
  while (done < into.length) {
    const want = Math.min(READ_CHUNK_BYTES, into.length - done);
    const got = readSync(fd, into, done, want, position + done);
    if (got === 0) throw new WaferError('FILE_TRUNCATED', `${path} shrank while it was being read`);
    done += got;
  }
}

/** Writes all of `bytes` at the file's current position (fs.writeSync may write less than asked). */
export function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, Math.min(READ_CHUNK_BYTES, bytes.length - done));
}

/** Writes `byteCount` zero bytes in bounded chunks. */
export function writeZeros(fd: number, byteCount: number): void {
  const chunk = new Uint8Array(Math.min(byteCount, 1 << 20));
  for (let left = byteCount; left > 0; left -= chunk.length) writeAll(fd, left >= chunk.length ? chunk : chunk.subarray(0, left));
}
