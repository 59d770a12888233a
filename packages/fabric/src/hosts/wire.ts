// The control protocol between a coordinator and its tile hosts (msgpackr headers over ZeroMQ, as between
// the coordinator and its threads over MessagePorts), and between hosts (peer greetings). Multipart
// messages: a one-letter kind ('C' control, 'P' peer greeting, 'D' data, 'A' ack), a header, then bodies
// (packed tile commands and replies, forwarded unopened).

import { Packr } from 'msgpackr';
import type { MachineSpec, MeshShape, Tile } from '@wafer/arch';
import type { ObserveOptions } from '../protocol.js';

/** Bumped on any change to these messages or to the frames; a host refuses a coordinator of another version. */
export const HOST_PROTOCOL_VERSION = 2;

/** What a host reports for the coordinator's distributed termination check. */
export interface HostStatus {
  /** Every local tile done or idle in this run. */
  idle: boolean;
  /** Cross-tile messages local tiles wrote and read (toward and from every tile, local or remote). */
  written: number;
  read: number;
  strays: number;
  /** Changes whenever a local tile moves: ring counts and doorbells. */
  signature: string;
}

export interface HostSetup {
  session: string;
  index: number;
  addresses: string[];
  tiles: Tile[];
  hostOf: number[];
  mesh: MeshShape;
  machine: MachineSpec;
  sramUnlimited: boolean;
  ringBytes: number;
  spinMicros?: number;
  profileWall: boolean;
  /** What the tiles record beside their counters (phases, per-run counters, traces). */
  observe: ObserveOptions;
  /** Wall ms a thread may go without a beat during a run before its core is declared hung (0: never). */
  stallMs: number;
  /** Largest data frame between hosts (bytes). */
  batchBytes: number;
  /** Tests: random frame sizes and delays, from this seed. */
  chaosSeed?: number;
}

export type ToHost =
  | { type: 'hello'; version: number; session: string }
  | ({ type: 'setup' } & HostSetup)
  | { type: 'tile'; tile: number }
  | { type: 'run'; epoch: number }
  | { type: 'status'; epoch: number }
  | { type: 'endRun'; epoch: number }
  | { type: 'abort'; reason: number }
  | { type: 'close' }
  | { type: 'destroy' };

/** A host's status and sparse route table (entries that are not 0) after a run, and its traffic so far. */
export interface RanInfo {
  status: HostStatus;
  routeIndex: Uint32Array;
  routeBits: Uint32Array;
  /** What this host's bridge has received in the session (cumulative). */
  traffic: { messages: number; bytes: number; frames: number };
}

export type FromHost =
  | { type: 'welcome'; version: number; threads: number; pid: number }
  | { type: 'refused'; reason: string }
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'tile'; tile: number }
  | ({ type: 'ran'; epoch: number } & RanInfo)
  | { type: 'status'; epoch: number; status: HostStatus }
  | { type: 'closed' }
  /** Unasked: a worker thread of this host died, or (code CORE_HUNG) a core never yields (the host has torn its tiles down). */
  | { type: 'died'; tile: number; message: string; code?: 'CORE_HUNG' };

export interface PeerHello {
  session: string;
  index: number;
}

const packr = new Packr({ structuredClone: false, useRecords: false, moreTypes: true });

export function packHeader(msg: ToHost | FromHost | PeerHello): Uint8Array {
  return packr.pack(msg).slice();
}
export function unpackHeader<T extends ToHost | FromHost | PeerHello>(bytes: Uint8Array): T {
  return packr.unpack(bytes) as T;
}

/** The repository root this package runs from (program modules inside it travel relative to it). */
const ROOT = new URL('../../../../', import.meta.url).href;
const ROOT_PREFIX = 'wafer-root:';

/** A program module URL as it travels to a host: relative to the repository root when inside it. */
export function portableModule(url: string): string {
  return url.startsWith(ROOT) ? ROOT_PREFIX + url.slice(ROOT.length) : url;
}
/** A host's own URL for a module the coordinator named (each machine has its own checkout). */
export function localModule(url: string): string {
  return url.startsWith(ROOT_PREFIX) ? ROOT + url.slice(ROOT_PREFIX.length) : url;
}
