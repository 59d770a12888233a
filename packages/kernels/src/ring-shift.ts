// One ring step along a line: send a tile to the ring successor (or predecessor) and receive the next one.
// Colours: base + 4·(backward) + 2·(travelling toward low) + (parity of the sender's position / 2):
// neighbouring flows use different route ids, as on the real router, and a core never receives two
// different flows on one colour (it receives forward flows only from its predecessor, backward ones only
// from its successor).

import type { Core, RecvRequest } from '@wafer/arch';
import type { LineRing } from './ring.js';
import { lineRoute, type Line } from './line.js';

export const RING_COLORS = 8;

function colorOf(base: number, from: number, to: number, forward: boolean): number {
  return base + (forward ? 0 : 4) + (to < from ? 2 : 0) + ((from >> 1) & 1);
}

/** Sends `tile` to the ring neighbour (successor when forward, else predecessor). */
export function ringSend(core: Core, line: Line, ring: LineRing, tile: Float32Array, base: number, forward = true): void {
  const p = line.pos;
  const to = forward ? ring.succ(p) : ring.pred(p);
  core.send(lineRoute(line, colorOf(base, p, to, forward), p, to), tile);
}

/** The colour of the flow arriving from the ring neighbour on the other side. */
export function ringRecvColor(line: Line, ring: LineRing, base: number, forward = true): number {
  const p = line.pos;
  const from = forward ? ring.pred(p) : ring.succ(p);
  return colorOf(base, from, p, forward);
}

/** The receive matching ringSend: the tile from the ring neighbour on the other side. */
export function ringRecv(core: Core, line: Line, ring: LineRing, base: number, forward = true): RecvRequest {
  return core.recv(ringRecvColor(line, ring, base, forward));
}
