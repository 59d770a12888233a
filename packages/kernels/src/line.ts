// A core's view of one line of the mesh (its row or its column): its position, the line's length, and
// routes toward the low or high end. Collectives and ring shifts are written once against this.

import { E, N, S, W, route } from '@wafer/arch';
import type { Core, Direction, Route } from '@wafer/arch';

export type Axis = 'x' | 'y';

export interface Line {
  readonly axis: Axis;
  /** This core's position along the line (x for a row, y for a column). */
  readonly pos: number;
  /** Number of cores on the line. */
  readonly length: number;
  /** Direction toward position 0 (W or N) and toward the far end (E or S). */
  readonly low: Direction;
  readonly high: Direction;
}

const lineCache = new Map<number, Line>();

/** The line through `core` along `axis`: 'x' is its row, 'y' its column. Lines are immutable values, built once each. */
export function lineOf(core: Core, axis: Axis): Line {
  const pos = axis === 'x' ? core.x : core.y;
  const length = axis === 'x' ? core.cols : core.rows;
  const key = (length * 65536 + pos) * 2 + (axis === 'x' ? 0 : 1);
  let line = lineCache.get(key);
  if (line === undefined) {
    line = Object.freeze(axis === 'x' ? { axis, pos, length, low: W, high: E } : { axis, pos, length, low: N, high: S });
    lineCache.set(key, line);
  }
  return line;
}

const routeCache = new Map<number, Route>();

/**
 * A route from `from` to `to` along the line (to ≠ from), optionally multicast to every core between. Routes
 * are immutable values, so each distinct one is built once (kernels ask for one per message).
 */
export function lineRoute(line: Line, color: number, from: number, to: number, multicast = false): Route {
  const dir = to > from ? line.high : line.low;
  const hops = Math.abs(to - from);
  const key = ((hops * 2 + (multicast ? 1 : 0)) * 32 + color) * 4 + dir;
  let r = routeCache.get(key);
  if (r === undefined) {
    r = route(color, dir, hops, multicast);
    routeCache.set(key, r);
  }
  return r;
}
