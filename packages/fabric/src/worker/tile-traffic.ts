// What a tile's senders put on the fabric in one run: the route-table entries their routes need at every router
// they cross (shared with every tile, for the route budget), and traffic counters per link of the full mesh and
// per route colour. Counting only: no modeled time is decided here.

import { DX, DY, opposite } from '@wafer/arch';
import type { MeshShape, Route } from '@wafer/arch';

const RAMP = 4; // router port to its own core, after N E S W

/** Counters per link, side by side: a message's three updates touch one or two cache lines, not three. */
const LINK_FIELDS = 3;
const MESSAGES = 0;
const WORDS = 1;
const BUSY = 2;

export class TileTraffic {
  /** Full-mesh link counters for the links this tile's senders drove: [(core * 4 + direction) * 3 + field]. */
  private readonly links: Float64Array;
  /** Per route colour: messages and values sent, and the longest route used. */
  readonly colorMessages = new Float64Array(32);
  readonly colorWords = new Float64Array(32);
  readonly colorMaxHops = new Float64Array(32);
  /** The longest route any sender of the tile used. */
  maxHops = 0;

  /** `routeTable` is shared by every tile: [router * 32 + colour], bit (in * 5 + out) per entry. */
  constructor(private readonly mesh: MeshShape, private readonly routeTable: Uint32Array) {
    this.links = new Float64Array(mesh.rows * mesh.cols * 4 * LINK_FIELDS);
  }

  /** Messages, values and busy cycles per link of the full mesh, [core * 4 + direction] each (copies). */
  get linkMessages(): Float64Array {
    return this.linkField(MESSAGES);
  }
  get linkWords(): Float64Array {
    return this.linkField(WORDS);
  }
  get linkBusy(): Float64Array {
    return this.linkField(BUSY);
  }
  private linkField(f: number): Float64Array {
    const out = new Float64Array(this.links.length / LINK_FIELDS);
    for (let l = 0; l < out.length; l++) out[l] = this.links[l * LINK_FIELDS + f];
    return out;
  }

  /** Records the route-table entries (input port → output port) a route from (x, y) needs at every router it crosses. */
  registerRoute(x: number, y: number, r: Route): void {
    const cols = this.mesh.cols;
    const dx = DX[r.dir];
    const dy = DY[r.dir];
    const inPort = opposite(r.dir);
    Atomics.or(this.routeTable, (y * cols + x) * 32 + r.color, 1 << (RAMP * 5 + r.dir));
    for (let k = 1; k <= r.hops; k++) {
      const router = (y + dy * k) * cols + (x + dx * k);
      let bits = 0;
      if (k < r.hops) bits |= 1 << (inPort * 5 + r.dir);
      if (k === r.hops || r.multicast) bits |= 1 << (inPort * 5 + RAMP);
      Atomics.or(this.routeTable, router * 32 + r.color, bits);
    }
  }

  /** Counts one message of `words` values sent from (x, y) on route r, each link busy for `busyCycles`. */
  count(x: number, y: number, r: Route, words: number, busyCycles: number): void {
    const cols = this.mesh.cols;
    const dx = DX[r.dir];
    const dy = DY[r.dir];
    const links = this.links;
    for (let k = 0; k < r.hops; k++) {
      const l = (((y + dy * k) * cols + (x + dx * k)) * 4 + r.dir) * LINK_FIELDS;
      links[l + MESSAGES] += 1;
      links[l + WORDS] += words;
      links[l + BUSY] += busyCycles;
    }
    if (r.hops > this.maxHops) this.maxHops = r.hops;
    this.colorMessages[r.color] += 1;
    this.colorWords[r.color] += words;
    if (r.hops > this.colorMaxHops[r.color]) this.colorMaxHops[r.color] = r.hops;
  }

  /** Starts a run: every counter at zero (the route table is cleared by the coordinator). */
  reset(): void {
    this.links.fill(0);
    this.colorMessages.fill(0);
    this.colorWords.fill(0);
    this.colorMaxHops.fill(0);
    this.maxHops = 0;
  }
}
