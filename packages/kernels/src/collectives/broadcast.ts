// Broadcast along a line from a root by a chain of streaming relays outward in both directions
// (SUMMA's row and column broadcasts). Two colours: travelling toward high, and toward low.

import type { Core, RecvRequest } from '@wafer/arch';
import { lineRoute, type Line } from '../line.js';

export const CHAIN_BROADCAST_COLORS = 2;

/**
 * Every core of the line ends with the root's `data` (non-roots pass null). Each relay forwards while it
 * receives (β per hop), so the far end has it after about distance·(α + β) + n cycles.
 */
export function* chainBroadcast(core: Core, line: Line, root: number, data: Float32Array | null, colors: number): Generator<RecvRequest, Float32Array, Float32Array> {
  const p = line.pos;
  const toHigh = colors;
  const toLow = colors + 1;
  if (p === root) {
    if (p + 1 < line.length) core.send(lineRoute(line, toHigh, p, p + 1), data!);
    if (p > 0) core.send(lineRoute(line, toLow, p, p - 1), data!);
    return data!;
  }
  const fromLow = p > root;
  const color = fromLow ? toHigh : toLow;
  const next = fromLow ? p + 1 : p - 1;
  const forwards = next >= 0 && next < line.length;
  // A relay streams (it forwards while it receives); the last core must hold the whole message.
  const got = forwards ? yield core.stream(color) : yield core.recv(color);
  if (forwards) core.send(lineRoute(line, color, p, next), got);
  return got;
}
