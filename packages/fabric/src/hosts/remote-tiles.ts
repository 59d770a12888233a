// The coordinator's side of tile hosts: one ZeroMQ DEALER per host, the session handshake (version, threads,
// band setup), tile commands forwarded to the host that owns the tile, and the whole-run semantics across
// hosts: a distributed termination check in place of the shared-memory watchdog, aborts that reach every
// host, and a host that disconnects failing the run with an error that names it.

import { tileCores, WaferError } from '@wafer/arch';
import type { Tile, TileShape } from '@wafer/arch';
import { ABORT_DEADLOCK, ABORT_FAILED } from '../shared-state.js';
import { pack, unpack, type Command, type Reply } from '../protocol.js';
import { countRoutes } from '../host/route-table.js';
import type { CrossHostTraffic, RouteCount, RunCommand, TileBackend } from '../host/tile-backend.js';
import { clientOptions, curveKeys } from './curve.js';
import { hostTiles, type HostsOptions } from './host-options.js';
import { HostLink, receiveLoop, watchEvents, withTimeout } from './host-link.js';
import { HEARTBEAT, sessionId } from './tile-host.js';
import { HOST_PROTOCOL_VERSION, portableModule, type FromHost, type HostSetup, type HostStatus } from './wire.js';
import { zmq } from './zmq.js';

/** What every host is set up with (HostSetup's fields that are the same for all), the cut and the hosts. */
export interface RemoteTilesOptions extends Pick<HostSetup, 'mesh' | 'machine' | 'sramUnlimited' | 'ringBytes' | 'spinMicros' | 'profileWall' | 'observe' | 'stallMs'> {
  tileShape: TileShape;
  hosts: HostsOptions;
}

const WATCHDOG_MS = 50;
const SETTLE_MS = 5000;
const CLOSE_MS = 2000;

export class RemoteTiles implements TileBackend {
  private routeTable: Uint32Array;
  private status: HostStatus[] = [];
  private traffic: CrossHostTraffic = { messages: 0, bytes: 0, frames: 0 };
  /** Each host's cumulative traffic at its last 'ran'. */
  private readonly trafficSoFar: CrossHostTraffic[];
  private abortRaised = false;
  private closed = false;
  private epoch = 0;

  private constructor(
    private readonly o: RemoteTilesOptions,
    private readonly links: HostLink[],
    readonly tiles: Tile[],
    private readonly hostOf: number[],
    private readonly onFailure: (err: WaferError) => void,
  ) {
    this.routeTable = new Uint32Array(o.mesh.rows * o.mesh.cols * 32);
    this.trafficSoFar = links.map(() => ({ messages: 0, bytes: 0, frames: 0 }));
    for (const l of links) {
      l.onDied = (t, message, code) => {
        const tile = tiles[t];
        if (this.closed) return;
        if (code === 'CORE_HUNG') onFailure(new WaferError('CORE_HUNG', `${message} (on ${l.describe(tiles)})`));
        else onFailure(new WaferError('WORKER_FAILED', `worker of tile ${t} (${tileCores(tile)}) on ${l.describe(tiles)} died: ${message}`));
      };
    }
  }

  /** Connects to every host, checks its protocol version, hands it its band and waits until all are linked. */
  static async connect(o: RemoteTilesOptions, onFailure: (err: WaferError) => void): Promise<RemoteTiles> {
    const Z = zmq();
    const keys = o.hosts.secret === undefined ? null : curveKeys(o.hosts.secret);
    const session = sessionId();
    const timeoutMs = o.hosts.connectTimeoutMs ?? 10_000;
    const links = o.hosts.addresses.map((address, h) => new HostLink(h, address, new Z.Dealer({ linger: 0, routingId: `c:${session}`, ...HEARTBEAT, ...(keys === null ? {} : clientOptions(keys)) })));
    let remote: RemoteTiles | null = null;
    // Until the session is set up, a dropped connection or a refused handshake fails the connect at once.
    let failEarly: (err: WaferError) => void = () => undefined;
    const early = new Promise<never>((_, reject) => (failEarly = reject));
    early.catch(() => undefined);
    for (const l of links) {
      void watchEvents(l, (why, refused) => {
        if (remote !== null) remote.lost(l, why);
        else failEarly(new WaferError(refused ? 'HOST_REFUSED' : 'HOST_FAILED', `host ${l.address} ${why}`));
      });
      void receiveLoop(l);
    }
    try {
      const welcomes = await Promise.all(links.map(async (l) => {
        l.dealer.connect(l.address);
        const answer = l.next('answer');
        l.send({ type: 'hello', version: HOST_PROTOCOL_VERSION, session });
        const { msg } = await Promise.race([early, withTimeout(answer, timeoutMs, () => `host ${l.address} did not answer within ${timeoutMs / 1000} s (is \`wafer host --listen ${l.address}\` running there?)`)]);
        if (msg.type === 'refused') throw new WaferError('HOST_REFUSED', `host ${l.address} refused this coordinator: ${msg.reason}`);
        if (msg.type !== 'welcome') throw new WaferError('HOST_FAILED', `host ${l.address} answered '${msg.type}' to hello`);
        return msg;
      }));
      const { tiles, hostOf } = hostTiles(o.mesh, welcomes.map((w) => w.threads), o.hosts.split ?? 'columns', o.tileShape);
      links.forEach((l, h) => {
        l.threads = welcomes[h].threads;
        l.first = hostOf.indexOf(h);
        l.last = hostOf.lastIndexOf(h);
      });
      const addresses = links.map((l) => l.address);
      await Promise.all(links.map(async (l) => {
        const answer = l.next('answer');
        l.send({ type: 'setup', session, index: l.index, addresses, tiles, hostOf, mesh: o.mesh, machine: o.machine, sramUnlimited: o.sramUnlimited, ringBytes: o.ringBytes, spinMicros: o.spinMicros, profileWall: o.profileWall, observe: o.observe, stallMs: o.stallMs, batchBytes: o.hosts.batchBytes ?? 256 * 1024, chaosSeed: o.hosts.chaosSeed });
        const { msg } = await Promise.race([early, withTimeout(answer, timeoutMs + 10_000, () => `host ${l.address} did not finish its setup`)]);
        if (msg.type === 'failed') throw new WaferError('HOST_FAILED', `host ${l.address} could not set up its tiles: ${msg.message}`);
      }));
      remote = new RemoteTiles(o, links, tiles, hostOf, onFailure);
      return remote;
    } catch (err) {
      for (const l of links) l.send({ type: 'destroy' });
      await new Promise((r) => setTimeout(r, 50));
      for (const l of links) l.dealer.close();
      throw err;
    }
  }

  get liveThreads(): number {
    return this.closed ? 0 : this.links.reduce((a, l) => a + l.threads, 0);
  }

  get aborting(): boolean {
    return this.abortRaised;
  }

  async request(t: number, cmd: Command): Promise<Reply> {
    if (cmd.type !== 'place') return this.requestOne(t, cmd);
    // A band's share of a large model is hundreds of MB: send it in pieces, so no message holds a socket (and
    // the heartbeats queued behind it) for long, and no process holds a whole band packed at once.
    let reply: Reply = { type: 'ok' };
    for (const part of placeParts(cmd)) {
      reply = await this.requestOne(t, part);
      if (reply.type === 'error') break;
    }
    return reply;
  }

  private async requestOne(t: number, cmd: Command): Promise<Reply> {
    const l = this.links[this.hostOf[t]];
    const answer = l.next(`tile:${t}`);
    l.send({ type: 'tile', tile: t }, [pack(cmd)]);
    return unpack<Reply>((await answer).bodies[0]);
  }

  beginRun(): number {
    this.routeTable.fill(0);
    this.abortRaised = false;
    return ++this.epoch;
  }

  /** Runs on every host; probes them for the distributed termination check until every host has answered. */
  async runAll(cmd: RunCommand): Promise<Reply[]> {
    const body = pack({ ...cmd, program: { ...cmd.program, module: portableModule(cmd.program.module) } });
    const replies = new Array<Reply>(this.tiles.length);
    const traffic: CrossHostTraffic = { messages: 0, bytes: 0, frames: 0 };
    const ran = Promise.all(this.links.map(async (l, h) => {
      const answer = l.next('ran');
      l.send({ type: 'run', epoch: cmd.epoch }, [body]);
      const { msg, bodies } = await answer;
      if (msg.type !== 'ran') throw new WaferError('HOST_FAILED', `${l.describe(this.tiles)} answered '${msg.type}' to run`);
      this.status[h] = msg.status;
      for (let k = 0; k < msg.routeIndex.length; k++) this.routeTable[msg.routeIndex[k]] |= msg.routeBits[k];
      const before = this.trafficSoFar[h];
      traffic.messages += msg.traffic.messages - before.messages;
      traffic.bytes += msg.traffic.bytes - before.bytes;
      traffic.frames += msg.traffic.frames - before.frames;
      this.trafficSoFar[h] = msg.traffic;
      let failed = false;
      bodies.forEach((b, k) => {
        const r = unpack<Reply>(b);
        replies[l.first + k] = r;
        if (r.type !== 'done') failed = true;
      });
      // A tile that failed stopped its own host; the others wait for it until told.
      if (failed) this.abortAll(ABORT_FAILED);
    }));
    const stop = this.startWatchdog(cmd.epoch);
    try {
      await ran;
    } finally {
      stop();
    }
    this.traffic = traffic;
    return replies;
  }

  /**
   * The distributed termination check: every host idle (each of its tiles done or waiting with nothing queued),
   * as many cross-tile messages read as written over all hosts, and no host's counts or doorbells moved between
   * two looks (Mattern's four counters: a message in flight between the looks would have changed a count).
   */
  private startWatchdog(epoch: number): () => void {
    let last = '';
    let looking = false;
    let stopped = false;
    const timer = setInterval(() => {
      if (this.closed) clearInterval(timer); // torn down mid-run: the run's own promise never settles
      if (looking || this.abortRaised || this.closed) return;
      looking = true;
      void this.probe(epoch).then((all) => {
        looking = false;
        if (stopped) return;
        if (!all.every((s) => s.idle)) {
          last = '';
          return;
        }
        const sig = all.map((s) => s.signature).join('|');
        if (sum(all, 'written') === sum(all, 'read') && sig === last) this.abortAll(ABORT_DEADLOCK);
        last = sig;
      });
    }, WATCHDOG_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }

  private async probe(epoch: number): Promise<HostStatus[]> {
    return Promise.all(this.links.map(async (l) => {
      const answer = l.next('status');
      l.send({ type: 'status', epoch });
      const { msg } = await answer;
      return (msg as Extract<FromHost, { type: 'status' }>).status;
    }));
  }

  private abortAll(reason: number): void {
    if (this.abortRaised) return;
    this.abortRaised = true;
    for (const l of this.links) l.send({ type: 'abort', reason });
  }

  async settle(epoch: number): Promise<{ unread: number; strays: number }> {
    // Written counts are final once every tile is done; read counts only grow. So once the sums meet (even in
    // snapshots taken at different times), every message was read and each host's strays were final.
    const t0 = performance.now();
    let all = this.status;
    while (sum(all, 'written') !== sum(all, 'read') && performance.now() - t0 < SETTLE_MS) {
      await new Promise((r) => setTimeout(r, 1));
      all = await this.probe(epoch);
    }
    for (const l of this.links) l.send({ type: 'endRun', epoch });
    return { unread: sum(all, 'written') - sum(all, 'read'), strays: sum(all, 'strays') };
  }

  routes(): RouteCount {
    return countRoutes(this.routeTable, this.o.mesh);
  }

  crossHost(): CrossHostTraffic {
    return this.traffic;
  }

  /** A host's connection dropped (its process died, or heartbeats stopped): the run fails, naming it. */
  private lost(l: HostLink, why: string): void {
    l.gone = true;
    if (this.closed) return;
    this.onFailure(new WaferError('HOST_FAILED', `${l.describe(this.tiles)} ${why}; the run is aborted on every host`));
  }

  close(): Promise<void> {
    return this.end('close', 30_000);
  }

  destroy(): Promise<void> {
    return this.end('destroy', CLOSE_MS);
  }

  /** close/destroy on every host (each answers once its threads are gone), then the sockets close. */
  private async end(type: 'close' | 'destroy', timeoutMs: number): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.links.filter((l) => !l.gone).map(async (l) => {
      const answer = l.next('closed');
      l.send({ type });
      await withTimeout(answer, timeoutMs, () => '').catch(() => undefined);
    }));
    for (const l of this.links) l.dealer.close();
  }
}

/** Values per placement message to a host (16 MiB of float32). */
const PLACE_PART_FLOATS = 4 << 20;

/** A placement cut into messages of whole cores, each of at most PLACE_PART_FLOATS values (or one core). */
function placeParts(cmd: Extract<Command, { type: 'place' }>): Extract<Command, { type: 'place' }>[] {
  const parts: Extract<Command, { type: 'place' }>[] = [];
  let start = 0;
  let floats = 0;
  for (let k = 0; k <= cmd.cores.length; k++) {
    const n = k < cmd.cores.length ? cmd.data[k].length : Number.POSITIVE_INFINITY;
    if (k > start && (k === cmd.cores.length || floats + n > PLACE_PART_FLOATS)) {
      parts.push({ type: 'place', name: cmd.name, cores: cmd.cores.slice(start, k), data: cmd.data.slice(start, k) });
      start = k;
      floats = 0;
    }
    floats += n;
  }
  return parts;
}

function sum(all: HostStatus[], k: 'written' | 'read' | 'strays'): number {
  return all.reduce((a, s) => a + s[k], 0);
}
