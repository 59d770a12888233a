// One sender per ZeroMQ socket: zeromq.js allows one send in flight per socket, so messages queue here in
// order and go out one after another (sends that can be queued at once resolve at once).

import type { MessageLike } from 'zeromq';

interface Sendable {
  send(message: MessageLike | MessageLike[]): Promise<void>;
}

export class SocketWriter {
  private readonly queue: MessageLike[][] = [];
  private busy = false;
  private sendingSince = 0; // performance.now() when the send in flight began (0: none)
  /** Milliseconds to hold each message (tests inject delays between frames this way); none by default. */
  delayMs: (() => number) | null = null;

  /** `onError` hears of a message ZeroMQ refused (e.g. a ROUTER's peer is gone); later messages still go. */
  constructor(private readonly socket: Sendable, private readonly onError: (err: unknown, parts: MessageLike[]) => void) {}

  /** Queues one multipart message; messages leave in the order they were queued. */
  send(parts: MessageLike[]): void {
    this.queue.push(parts);
    if (!this.busy) void this.pump();
  }

  /** How long the send in flight has waited (ms; 0 when none): ZeroMQ holds a send while no peer can take it. */
  get stalledMs(): number {
    return this.sendingSince === 0 ? 0 : performance.now() - this.sendingSince;
  }

  private async pump(): Promise<void> {
    this.busy = true;
    while (this.queue.length > 0) {
      const parts = this.queue.shift()!;
      try {
        const d = this.delayMs?.() ?? 0;
        if (d > 0) await new Promise((r) => setTimeout(r, d));
        this.sendingSince = performance.now();
        await this.socket.send(parts);
      } catch (err) {
        this.onError(err, parts);
      } finally {
        this.sendingSince = 0;
      }
    }
    this.busy = false;
  }
}
