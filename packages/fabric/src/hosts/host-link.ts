// One tile host as the coordinator sees it: its DEALER socket, its replies matched to their requests by kind
// (FIFO per kind, as the host answers in order), and the events that say its connection dropped.

import type { Dealer } from 'zeromq';
import { tileCores, WaferError } from '@wafer/arch';
import type { Tile } from '@wafer/arch';
import { SocketWriter } from './socket-writer.js';
import { packHeader, unpackHeader, type FromHost } from './wire.js';

type Waiter = (msg: FromHost, bodies: Buffer[]) => void;

/** One tile host, as the coordinator sees it. */
export class HostLink {
  private readonly waiters = new Map<string, Waiter[]>();
  readonly writer: SocketWriter;
  threads = 0;
  first = 0; // first and last tile ids of its band
  last = -1;
  /** Its connection dropped (nothing more will come from it). */
  gone = false;
  /** A worker thread of the host died. */
  onDied: (tile: number, message: string, code?: 'CORE_HUNG') => void = () => undefined;
  constructor(readonly index: number, readonly address: string, readonly dealer: Dealer) {
    this.writer = new SocketWriter(dealer, () => undefined);
  }

  send(msg: Parameters<typeof packHeader>[0], bodies: Uint8Array[] = []): void {
    this.writer.send(['C', packHeader(msg), ...bodies]);
  }

  /** The next reply of this kind ('tile:N' for tile N). */
  next(kind: string): Promise<{ msg: FromHost; bodies: Buffer[] }> {
    return new Promise((resolve) => {
      let q = this.waiters.get(kind);
      if (q === undefined) this.waiters.set(kind, (q = []));
      q.push((msg, bodies) => resolve({ msg, bodies }));
    });
  }

  deliver(msg: FromHost, bodies: Buffer[]): void {
    if (msg.type === 'status' && msg.epoch < 0) return; // the host checking that we are still here
    if (msg.type === 'died') return this.onDied(msg.tile, msg.message, msg.code);
    const answers = msg.type === 'welcome' || msg.type === 'refused' || msg.type === 'ready' || msg.type === 'failed';
    const kind = msg.type === 'tile' ? `tile:${msg.tile}` : answers ? 'answer' : msg.type;
    this.waiters.get(kind)?.shift()?.(msg, bodies);
  }

  describe(tiles: Tile[]): string {
    const t = tiles[this.last];
    const where = t === undefined ? '' : `, last tile ${t.id}: ${tileCores(t)}`;
    return `host ${this.index} (${this.address}, tiles ${this.first}..${this.last}${where})`;
  }
}

export async function receiveLoop(l: HostLink): Promise<void> {
  try {
    for await (const [kind, header, ...bodies] of l.dealer) {
      if (kind.toString() === 'C') l.deliver(unpackHeader<FromHost>(header), bodies);
    }
  } catch {
    // the socket was closed
  }
}

/** Reports a connection that dropped, or a CURVE handshake the host refused. */
export async function watchEvents(l: HostLink, lost: (why: string, refused: boolean) => void): Promise<void> {
  try {
    for await (const e of l.dealer.events) {
      if (e.type === 'disconnect') lost('disconnected', false);
      else if (e.type.startsWith('handshake:error')) {
        const detail = 'error' in e ? ` (${(e.error as Error).message})` : '';
        lost(`refused the secure handshake${detail}: both sides need the same --secret file`, true);
      } else if (e.type === 'end') return;
    }
  } catch {
    // closed
  }
}

/** `p`, or a HOST_FAILED error saying `why()` after `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, why: () => string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WaferError('HOST_FAILED', why())), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
