// What the coordinator needs from the tiles, wherever they run: this process's worker threads (LocalTiles)
// or tile hosts reached over ZeroMQ (hosts/remote-tiles.ts). The Fabric class speaks only to this.

import type { Command, Reply } from '../protocol.js';
import type { countRoutes } from './route-table.js';

export type RunCommand = Extract<Command, { type: 'run' }>;
export type RouteCount = ReturnType<typeof countRoutes>;

/** Traffic that crossed between tile hosts in one run (absent without hosts). */
export interface CrossHostTraffic {
  /** Whole messages carried between hosts. */
  messages: number;
  /** Bytes of the data frames (ring records with their headers, grouped by link). */
  bytes: number;
  /** ZeroMQ data frames sent (several records each). */
  frames: number;
}

export interface TileBackend {
  /** Worker threads still alive (0 once closed or destroyed). */
  readonly liveThreads: number;
  /** Sends one command to tile t; resolves with its reply. */
  request(t: number, cmd: Command): Promise<Reply>;
  /** Starts a run (clears the route tables); returns its epoch. */
  beginRun(): number;
  /** Runs on every tile, watching for deadlock; resolves with the replies indexed by tile id. */
  runAll(cmd: RunCommand): Promise<Reply[]>;
  /**
   * After every tile finished: waits until every cross-tile message written in the run was read, then ends the
   * run (tiles still draining their rings stop). `unread` is what was still unread after the wait.
   */
  settle(epoch: number): Promise<{ unread: number; strays: number }>;
  /** Route-table entries of the last run. */
  routes(): RouteCount;
  /** Cross-host traffic of the last run (hosts only). */
  crossHost(): CrossHostTraffic | undefined;
  /** True once any tile or the coordinator aborted the current run. */
  readonly aborting: boolean;
  close(): Promise<void>;
  destroy(): Promise<void>;
}
