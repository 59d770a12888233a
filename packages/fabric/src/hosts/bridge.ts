// A tile host's bridge: the far end of every ring that crosses to another host, in the host's main thread.
// Outbound it drains the rings local tiles write toward remote tiles into batched data frames; inbound it
// writes received records into the rings of the local destination tiles. Credits (the receiving ring's
// capacity in bytes) bound what is in flight per link; order per link is kept by every FIFO on the way.

import { RING_WRITER_BLOCKED, RingChannel } from '../ring.js';
import type { ControlState } from '../shared-state.js';
import type { RingSpec } from '../host/local-tiles.js';
import { ackFrame, DataFrameBuilder, readAckFrame, readDataFrame, recordBytes } from './frames.js';

/** Sends one frame to a peer host: 'D' data or 'A' ack. */
export type PeerSend = (kind: 'D' | 'A', body: Uint8Array) => void;

interface OutLink {
  from: number; // local tile (writes the ring)
  to: number; // remote tile
  ring: RingChannel;
  sent: number; // record bytes sent so far
  acked: number; // record bytes the receiver has moved into its ring so far
}

interface InLink {
  from: number; // remote tile
  to: number; // local tile (reads the ring)
  ring: RingChannel;
  chunks: Uint8Array[]; // received records not yet in the ring, in order
  view: DataView | null; // over chunks[0]
  at: number; // offset of the next record in chunks[0]
  queued: number; // bytes in chunks
  moved: number; // bytes moved into the ring so far
  ackedAt: number; // `moved` when the last ack went out
  wantAck: boolean; // the sender is running low on credit
}

export interface BridgeOptions {
  /** Largest data frame in bytes (a frame closes earlier when the rings have nothing more). */
  batchBytes: number;
  /** Tests: a random source that shrinks frames to random sizes (with delays injected by the socket writer). */
  random?: () => number;
}

/**
 * Traffic a bridge has received in its session. Counted where it arrives, since a host's tiles may finish
 * before its bridge has sent their last records, but not before their own inbound messages have arrived; and
 * cumulative (the coordinator takes differences between runs), since a peer may start sending in a run before
 * this host has heard of it.
 */
export interface BridgeTraffic {
  messages: number;
  bytes: number;
  frames: number;
}

const POLL_MS = 200; // safety net: a bridge looks at its rings at least this often

export class Bridge {
  private readonly out = new Map<number, OutLink[]>(); // by peer host
  private readonly inbound = new Map<number, InLink[]>();
  private readonly inByKey = new Map<string, InLink>();
  private readonly outByKey = new Map<string, OutLink>();
  private readonly frame = new DataFrameBuilder();
  private stopped = false;
  readonly traffic: BridgeTraffic = { messages: 0, bytes: 0, frames: 0 };

  constructor(
    private readonly control: ControlState,
    rings: RingSpec[],
    private readonly hostOf: number[],
    me: number,
    private readonly peers: Map<number, PeerSend>,
    private readonly options: BridgeOptions,
  ) {
    for (const r of rings) {
      const ring = new RingChannel(r.sab);
      if (hostOf[r.from] === me) {
        const l: OutLink = { from: r.from, to: r.to, ring, sent: 0, acked: 0 };
        push(this.out, hostOf[r.to], l);
        this.outByKey.set(`${r.from}>${r.to}`, l);
      } else {
        const l: InLink = { from: r.from, to: r.to, ring, chunks: [], view: null, at: 0, queued: 0, moved: 0, ackedAt: 0, wantAck: false };
        push(this.inbound, hostOf[r.from], l);
        this.inByKey.set(`${r.from}>${r.to}`, l);
      }
    }
  }

  /** Starts watching the doorbells of the remote tiles the local ones talk to. */
  start(): void {
    const remote = new Set<number>();
    for (const links of this.out.values()) for (const l of links) remote.add(l.to);
    for (const links of this.inbound.values()) for (const l of links) remote.add(l.from);
    for (const t of remote) void this.watch(t);
  }

  /** Stops the doorbell loops (they end within one wake-up). */
  stop(): void {
    this.stopped = true;
    for (const links of this.out.values()) for (const l of links) this.control.ring(l.to);
    for (const links of this.inbound.values()) for (const l of links) this.control.ring(l.from);
  }

  /**
   * Local tiles ring remote tile t's doorbell when they write toward it (its sleeping flag stays up, so every
   * flush rings; their rings toward t are marked remote, so not every write does) or free ring space its records
   * wait for; each ring makes the bridge serve t's host.
   */
  private async watch(t: number): Promise<void> {
    const c = this.control;
    c.setSleeping(t, true);
    while (!this.stopped) {
      const seen = c.doorbell(t); // before serving: a ring after this look ends the wait at once
      this.serve(this.hostOf[t]);
      await c.waitDoorbellAsync(t, seen, POLL_MS);
    }
  }

  /** A frame from peer host `peer`. */
  receive(peer: number, kind: string, body: Uint8Array): void {
    if (kind === 'D') {
      this.traffic.frames++;
      this.traffic.bytes += body.byteLength;
      readDataFrame(body, (from, to, records, messages, wantAck) => {
        this.traffic.messages += messages;
        const l = this.inByKey.get(`${from}>${to}`);
        if (l === undefined) throw new Error(`data for link ${from}>${to}, which does not end on this host`);
        if (records.byteLength > 0) {
          l.chunks.push(records);
          l.queued += records.byteLength;
        }
        if (wantAck) l.wantAck = true;
      });
    } else if (kind === 'A') {
      readAckFrame(body, (from, to, moved) => {
        const l = this.outByKey.get(`${from}>${to}`);
        if (l !== undefined && moved > l.acked) l.acked = moved;
      });
    }
    this.serve(peer);
  }

  /** Moves what it can: received records into local rings (then acks), local rings' records to the peer. */
  private serve(peer: number): void {
    if (this.stopped) return;
    const send = this.peers.get(peer);
    if (send === undefined) return;
    const acks: { from: number; to: number; moved: number }[] = [];
    for (const l of this.inbound.get(peer) ?? []) this.pumpInbound(l, acks);
    if (acks.length > 0) send('A', ackFrame(acks));
    let limit = this.frameLimit();
    for (const l of this.out.get(peer) ?? []) {
      const cap = l.ring.units * 8;
      l.ring.readRecords((data, offset, length, last) => {
        if (l.sent - l.acked + length > cap) return false; // no credit: the receiver's ring is full
        if (this.frame.bytes > 0 && this.frame.bytes + length > limit) {
          this.sendFrame(send);
          limit = this.frameLimit();
        }
        l.sent += length;
        this.frame.add(l.from, l.to, data, offset, length, last, l.sent - l.acked >= cap / 2);
        return true;
      });
      // The writer waits for room in this ring: wake it.
      if (l.ring.takeWriterBlocked()) this.control.ring(l.from);
    }
    if (this.frame.bytes > 0) this.sendFrame(send);
  }

  private frameLimit(): number {
    const r = this.options.random;
    return r === undefined ? this.options.batchBytes : 1 + Math.floor(r() * this.options.batchBytes);
  }

  private sendFrame(send: PeerSend): void {
    send('D', this.frame.take());
  }

  /**
   * Writes queued records into the local ring, in order, as far as it has room. When it is full the reader
   * is asked to ring the remote tile's doorbell once it frees space. Acks when a quarter of the credit was
   * moved, or when the sender asked and everything received is in the ring.
   */
  private pumpInbound(l: InLink, acks: { from: number; to: number; moved: number }[]): void {
    let moved = false;
    while (l.queued > 0) {
      const chunk = l.chunks[0];
      if (l.view === null) l.view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      const n = recordBytes(l.view, l.at);
      if (!l.ring.tryWriteRecord(chunk, l.at, n)) {
        // Ask the reader to wake us when it frees space, then look once more (it may have drained meanwhile).
        Atomics.store(l.ring.header, RING_WRITER_BLOCKED, 1);
        if (!l.ring.tryWriteRecord(chunk, l.at, n)) break;
      }
      moved = true;
      l.at += n;
      l.queued -= n;
      l.moved += n;
      if (l.at === chunk.byteLength) {
        l.chunks.shift();
        l.view = null;
        l.at = 0;
      }
    }
    if (moved) this.control.ringIfSleeping(l.to);
    const cap = l.ring.units * 8;
    const unacked = l.moved - l.ackedAt;
    if (unacked > 0 && (unacked >= cap / 4 || (l.wantAck && l.queued === 0))) {
      acks.push({ from: l.from, to: l.to, moved: l.moved });
      l.ackedAt = l.moved;
      if (l.queued === 0) l.wantAck = false;
    }
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list === undefined) m.set(k, [v]);
  else list.push(v);
}
