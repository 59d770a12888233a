// A tile host (`wafer host`): a process that listens on one ZeroMQ ROUTER socket and, for one coordinator at a
// time, runs a band of the mesh on its own worker threads, bridges the rings that cross to other hosts, and
// forwards the coordinator's tile commands to its threads. Between sessions it sits idle, ready for the next.

import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { Dealer, Router } from 'zeromq';
import { tileCoreName, WaferError } from '@wafer/arch';
import { ABORT_DESTROYED } from '../shared-state.js';
import { pack, unpack, type Command } from '../protocol.js';
import { AUTO_SPIN_MICROS, LocalTiles } from '../host/local-tiles.js';
import { sparseRouteEntries } from '../host/route-table.js';
import { Bridge, type PeerSend } from './bridge.js';
import { randomDelays, seededRandom } from './chaos.js';
import { clientOptions, curveKeys, serverOptions, startZapHandler, type CurveKeys } from './curve.js';
import { SocketWriter } from './socket-writer.js';
import { HOST_PROTOCOL_VERSION, localModule, packHeader, unpackHeader, type FromHost, type HostSetup, type HostStatus, type PeerHello, type ToHost } from './wire.js';
import { zmq } from './zmq.js';

/** Minimal logger interface (pino's). */
export interface HostLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface TileHostOptions {
  /** `tcp://ADDR:PORT`; port 0 picks a free port (see `address`). */
  listen: string;
  threads: number;
  /** Shared secret: CURVE, admitting only holders of the same secret. */
  secret?: Uint8Array;
  logger?: HostLogger;
}

/**
 * ZMTP heartbeats: a peer silent for 5 s is disconnected, even if its machine vanished without a word (a process
 * that dies closes its connections, which is seen at once). A heartbeat waits behind the message ahead of it,
 * so control messages stay well under what the link carries in that time (placement goes in 16 MiB parts).
 */
export const HEARTBEAT = { heartbeatInterval: 1000, heartbeatTimeout: 5000, heartbeatTimeToLive: 5000 };
const PEER_TIMEOUT_MS = 10_000;
/** How often a host looks for a core that never yields during a run (its stall limit comes from the coordinator). */
const STALL_CHECK_MS = 50;

interface Session {
  id: string;
  coordinator: Buffer; // the coordinator's routing id on our ROUTER
  setup?: HostSetup;
  tiles?: LocalTiles;
  bridge?: Bridge;
  local: number[];
  done: Set<number>;
  epoch: number;
  dealers: Dealer[];
  peerSends: Map<number, PeerSend>;
  /** The stall watch of the run in progress (cleared when it ends, when a tile fails, and with the session). */
  watch?: NodeJS.Timeout;
}

export class TileHost {
  private session: Session | null = null;
  /** Peer hosts that greeted us (by session, then host index), possibly before our own setup arrived. */
  private readonly peerIds = new Map<string, Map<number, Buffer>>();
  private readonly peerWaiters: (() => void)[] = [];
  private readonly writer: SocketWriter;
  private closing = false;

  private constructor(
    private readonly router: Router,
    private readonly zap: Router | null,
    private readonly keys: CurveKeys | null,
    readonly address: string,
    private readonly options: TileHostOptions,
  ) {
    this.writer = new SocketWriter(router, (err, parts) => this.sendFailed(err, parts[0] as Buffer));
    void this.serve();
    void this.watchDisconnects();
  }

  /** Binds the listening socket (after the ZAP handler, with a secret) and starts serving. */
  static async start(o: TileHostOptions): Promise<TileHost> {
    const keys = o.secret === undefined ? null : curveKeys(o.secret);
    const zap = keys === null ? null : await startZapHandler(keys, (address) => o.logger?.warn({ address }, 'refused a peer without the shared secret'));
    const Z = zmq();
    const router = new Z.Router({ mandatory: true, linger: 0, ...HEARTBEAT, ...(keys === null ? {} : serverOptions(keys)) });
    const endpoint = o.listen.replace(/:0$/, ':*');
    try {
      await router.bind(endpoint);
    } catch (err) {
      router.close();
      zap?.close();
      throw new WaferError('USAGE', `--listen ${o.listen}: cannot listen there (${(err as Error).message})`);
    }
    const address = router.lastEndpoint ?? o.listen;
    o.logger?.info({ address, threads: o.threads, curve: keys !== null, version: HOST_PROTOCOL_VERSION }, 'tile host listening');
    return new TileHost(router, zap, keys, address, o);
  }

  /** True while a coordinator's session is open. */
  get busy(): boolean {
    return this.session !== null;
  }

  private async serve(): Promise<void> {
    try {
      for await (const [id, kind, header, ...bodies] of this.router) {
        try {
          this.dispatch(id, kind.toString(), header, bodies);
        } catch (err) {
          this.options.logger?.warn({ err: (err as Error).message }, 'bad message from a peer');
        }
      }
    } catch (err) {
      if (!this.closing) this.options.logger?.warn({ err: (err as Error).message }, 'listening socket failed');
    }
  }

  private dispatch(id: Buffer, kind: string, header: Buffer, bodies: Buffer[]): void {
    if (kind === 'C') {
      this.control(id, unpackHeader<ToHost>(header), bodies).catch((err: unknown) => {
        this.options.logger?.warn({ err: (err as Error).message }, 'coordinator command failed');
      });
    }
    else if (kind === 'P') this.peerGreeting(id, unpackHeader<PeerHello>(header));
    else if (kind === 'D' || kind === 'A') {
      const s = this.session;
      if (s?.bridge === undefined) return;
      const peer = this.peerIndexOf(s, id);
      if (peer >= 0) s.bridge.receive(peer, kind, header);
    }
  }

  private reply(to: Buffer, msg: FromHost, bodies: Uint8Array[] = []): void {
    this.writer.send([to, 'C', packHeader(msg), ...bodies]);
  }

  private async control(from: Buffer, msg: ToHost, bodies: Buffer[]): Promise<void> {
    const s = this.session;
    if (msg.type === 'hello') return this.hello(from, msg);
    if (s === null || !from.equals(s.coordinator)) {
      if (msg.type === 'close' || msg.type === 'destroy') this.reply(from, { type: 'closed' });
      return; // a coordinator whose session is over
    }
    switch (msg.type) {
      case 'setup':
        return this.setup(s, msg);
      case 'tile': {
        const out = await s.tiles!.requestBytes(msg.tile, bodies[0]);
        return this.reply(from, { type: 'tile', tile: msg.tile }, [out]);
      }
      case 'run':
        return this.run(s, msg.epoch, bodies[0]);
      case 'status':
        return this.reply(from, { type: 'status', epoch: msg.epoch, status: this.status(s) });
      case 'endRun':
        return s.tiles?.control.endRun(msg.epoch);
      case 'abort':
        return s.tiles?.control.raiseAbort(msg.reason);
      case 'close':
      case 'destroy':
        await this.endSession(msg.type === 'close' ? 'closed by the coordinator' : 'destroyed by the coordinator', msg.type === 'close');
        return this.reply(from, { type: 'closed' });
    }
  }

  private hello(from: Buffer, msg: Extract<ToHost, { type: 'hello' }>): void {
    if (msg.version !== HOST_PROTOCOL_VERSION) {
      this.options.logger?.warn({ theirs: msg.version, ours: HOST_PROTOCOL_VERSION }, 'refused a coordinator of another protocol version');
      return this.reply(from, { type: 'refused', reason: `it speaks host protocol ${HOST_PROTOCOL_VERSION}, the coordinator ${msg.version} (run the same wafer version everywhere)` });
    }
    if (this.session !== null && !from.equals(this.session.coordinator)) {
      return this.reply(from, { type: 'refused', reason: 'it is serving another coordinator' });
    }
    this.session = { id: msg.session, coordinator: from, local: [], done: new Set(), epoch: 0, dealers: [], peerSends: new Map() };
    this.options.logger?.info({ session: msg.session }, 'coordinator connected');
    this.reply(from, { type: 'welcome', version: HOST_PROTOCOL_VERSION, threads: this.options.threads, pid: process.pid });
  }

  /** Starts this host's tiles, connects to the other hosts (higher index connects to lower) and bridges them. */
  private async setup(s: Session, setup: HostSetup): Promise<void> {
    try {
      s.setup = setup;
      s.local = setup.tiles.filter((t) => setup.hostOf[t.id] === setup.index).map((t) => t.id);
      const spinMicros = setup.spinMicros ?? (s.local.length <= availableParallelism() ? AUTO_SPIN_MICROS : 0);
      s.tiles = LocalTiles.start(
        { ...setup, spinMicros, local: s.local },
        (t, err, running) => {
          if (this.session !== s) return;
          const tile = setup.tiles[t];
          const during = running >= 0 ? ` while ${tileCoreName(tile, running)} was running` : '';
          const message = `${err instanceof Error ? err.message : String(err)}${during}`;
          clearInterval(s.watch);
          this.options.logger?.warn({ tile: t, err: message }, 'tile worker died');
          this.reply(s.coordinator, { type: 'died', tile: t, message });
        },
        (err) => {
          if (this.session !== s) return;
          clearInterval(s.watch);
          this.options.logger?.warn({ err: err.message }, 'a core never yields');
          this.reply(s.coordinator, { type: 'died', tile: -1, message: err.message, code: 'CORE_HUNG' });
          void s.tiles?.destroy(ABORT_DESTROYED);
        },
      );
      const peers = new Set<number>();
      for (const r of s.tiles.bridged) peers.add(setup.hostOf[setup.hostOf[r.from] === setup.index ? r.to : r.from]);
      for (const p of peers) if (p < setup.index) s.peerSends.set(p, await this.connectPeer(s, setup, p));
      await this.awaitPeers(s, [...peers].filter((p) => p > setup.index));
      if (this.session !== s) return;
      const random = setup.chaosSeed === undefined ? undefined : seededRandom(setup.chaosSeed + setup.index);
      s.bridge = new Bridge(s.tiles.control, s.tiles.bridged, setup.hostOf, setup.index, s.peerSends, { batchBytes: setup.batchBytes, random });
      if (random !== undefined) this.writer.delayMs = randomDelays(random);
      s.bridge.start();
      this.options.logger?.info({ host: setup.index, tiles: s.local.length, peers: peers.size }, 'session ready');
      this.reply(s.coordinator, { type: 'ready' });
    } catch (err) {
      this.reply(s.coordinator, { type: 'failed', message: (err as Error).message });
    }
  }

  private async connectPeer(s: Session, setup: HostSetup, p: number): Promise<PeerSend> {
    const Z = zmq();
    const dealer = new Z.Dealer({ linger: 0, routingId: `${setup.session}:${setup.index}`, ...HEARTBEAT, ...(this.keys === null ? {} : clientOptions(this.keys)) });
    s.dealers.push(dealer);
    dealer.connect(setup.addresses[p]);
    const writer = new SocketWriter(dealer, (err) => this.options.logger?.warn({ peer: p, err: (err as Error).message }, 'send to a peer host failed'));
    if (this.session === s && setup.chaosSeed !== undefined) {
      writer.delayMs = randomDelays(seededRandom(setup.chaosSeed * 31 + setup.index));
    }
    writer.send(['P', packHeader({ session: setup.session, index: setup.index })]);
    const greeted = dealer.receive();
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`peer host ${setup.addresses[p]} did not answer within ${PEER_TIMEOUT_MS / 1000} s`)), PEER_TIMEOUT_MS).unref());
    await Promise.race([greeted, timeout]);
    void (async () => {
      try {
        for await (const [kind, body] of dealer) s.bridge?.receive(p, kind.toString(), body);
      } catch {
        // the session ended and closed the socket
      }
    })();
    return (kind, body) => writer.send([kind, body]);
  }

  private peerGreeting(id: Buffer, hello: PeerHello): void {
    let m = this.peerIds.get(hello.session);
    if (m === undefined) this.peerIds.set(hello.session, (m = new Map()));
    m.set(hello.index, id);
    this.writer.send([id, 'P', packHeader({ session: hello.session, index: this.session?.setup?.index ?? -1 })]);
    for (const w of this.peerWaiters.splice(0)) w();
  }

  private async awaitPeers(s: Session, higher: number[]): Promise<void> {
    const t0 = Date.now();
    for (;;) {
      const ids = this.peerIds.get(s.id);
      const missing = higher.filter((p) => ids?.get(p) === undefined);
      if (missing.length === 0) break;
      if (Date.now() - t0 > PEER_TIMEOUT_MS) throw new Error(`peer host(s) ${missing.join(', ')} did not connect within ${PEER_TIMEOUT_MS / 1000} s`);
      await new Promise<void>((r) => {
        this.peerWaiters.push(r);
        setTimeout(r, 100).unref();
      });
    }
    for (const p of higher) {
      const id = this.peerIds.get(s.id)!.get(p)!;
      s.peerSends.set(p, (kind, body) => this.writer.send([id, kind, body]));
    }
  }

  private peerIndexOf(s: Session, id: Buffer): number {
    const ids = this.peerIds.get(s.id);
    if (ids !== undefined) for (const [p, pid] of ids) if (pid.equals(id)) return p;
    return -1;
  }

  /** Runs the coordinator's program on every local tile; one reply with every tile's reply and the run's facts. */
  private async run(s: Session, epoch: number, body: Buffer): Promise<void> {
    const tiles = s.tiles!;
    const cmd = unpack<Command>(body) as Extract<Command, { type: 'run' }>;
    const bytes = pack({ ...cmd, program: { ...cmd.program, module: localModule(cmd.program.module) } });
    s.epoch = epoch;
    s.done.clear();
    tiles.beginRun();
    // Cleared when the run ends, and by the failure callbacks (a failed run's requests never settle).
    const watch = (s.watch = setInterval(tiles.stallWatch(s.done, epoch), STALL_CHECK_MS));
    let replies: Uint8Array[];
    try {
      replies = await Promise.all(s.local.map((t) => tiles.requestBytes(t, bytes).then((r) => {
        s.done.add(t);
        return r;
      })));
    } finally {
      clearInterval(watch);
    }
    if (this.session !== s) return;
    const { index, bits } = sparseRouteEntries(tiles.routeTable);
    const traffic = { ...(s.bridge?.traffic ?? { messages: 0, bytes: 0, frames: 0 }) };
    this.reply(s.coordinator, { type: 'ran', epoch, status: this.status(s), routeIndex: index, routeBits: bits, traffic }, replies);
  }

  private status(s: Session): HostStatus {
    const c = s.tiles!.control;
    const written = c.totalWritten();
    const read = c.totalRead(); // before the strays: a tile publishes its strays before its read count moves
    const strays = c.totalStrays();
    return { idle: s.tiles!.allIdle(s.epoch, s.done), written, read, strays, signature: s.tiles!.signature() };
  }

  /** Ends the session: stops the bridge, the threads (gracefully or not) and the peer sockets. */
  private async endSession(why: string, graceful: boolean): Promise<void> {
    const s = this.session;
    if (s === null) return;
    this.session = null;
    clearInterval(s.watch);
    s.bridge?.stop();
    if (s.tiles !== undefined) {
      if (graceful && !s.tiles.aborting) await s.tiles.close();
      else await s.tiles.destroy(ABORT_DESTROYED);
    }
    for (const d of s.dealers) d.close();
    this.peerIds.delete(s.id);
    this.writer.delayMs = null;
    this.options.logger?.info({ session: s.id, why }, 'session ended; idle');
  }

  /** A message ZeroMQ could not deliver: if it was for our coordinator, it is gone, so the session ends. */
  private sendFailed(err: unknown, to: Buffer): void {
    const s = this.session;
    if (s !== null && Buffer.isBuffer(to) && to.equals(s.coordinator)) void this.endSession(`coordinator unreachable: ${(err as Error).message}`, false);
    else this.options.logger?.debug({ err: (err as Error).message }, 'undeliverable message to a peer');
  }

  /**
   * After a disconnect, is the coordinator still there? A send to a ROUTER peer that is gone fails (mandatory)
   * once ZeroMQ has torn its connection down; but when it was the socket's only peer, the send waits instead
   * (no peer to write to). So probe a few times, and a probe that has waited over a second means it is gone.
   */
  private probeCoordinator(s: Session): void {
    for (const ms of [0, 250, 1000, 2000, 3000]) {
      setTimeout(() => {
        if (this.session !== s) return;
        if (this.writer.stalledMs > 1000) void this.endSession('coordinator unreachable: messages to it cannot leave', false);
        else this.writer.send([s.coordinator, 'C', packHeader({ type: 'status', epoch: -1, status: PROBE })]);
      }, ms).unref();
    }
  }

  /** On any disconnect, probe the coordinator. */
  private async watchDisconnects(): Promise<void> {
    try {
      for await (const e of this.router.events) {
        if (e.type === 'disconnect' && this.session !== null) this.probeCoordinator(this.session);
        if (e.type === 'end') return;
      }
    } catch {
      // closed
    }
  }

  /** Ends any session and closes the sockets. */
  async close(): Promise<void> {
    this.closing = true;
    await this.endSession('host shutting down', false);
    this.router.close();
    this.zap?.close();
  }
}

/** A status with epoch -1: the coordinator ignores it (it only tells the host whether the coordinator is there). */
const PROBE: HostStatus = { idle: false, written: 0, read: 0, strays: 0, signature: '' };

/** A fresh session id. */
export function sessionId(): string {
  return randomBytes(6).toString('hex');
}
