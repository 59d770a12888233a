// Loads ZeroMQ (npm `zeromq`, whose package carries its Linux, macOS and Windows binaries) only when tile
// hosts are used. A binary that does not load is one clear error: the package's fallback build needs cmake
// and a network, which this project cannot count on.

import { createRequire } from 'node:module';
import { WaferError } from '@wafer/arch';
import type * as Zmq from 'zeromq';

export type ZmqModule = typeof Zmq;
let loaded: ZmqModule | null = null;

/** The zeromq module, or a WaferError naming the package and what failed. */
export function zmq(): ZmqModule {
  if (loaded !== null) return loaded;
  try {
    loaded = createRequire(import.meta.url)('zeromq') as ZmqModule;
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new WaferError('UNSUPPORTED', `tile hosts need the npm package zeromq (6.8.0), whose native binary did not load on ${process.platform}-${process.arch}: ${why}`);
  }
  return loaded;
}
