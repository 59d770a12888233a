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

/** The line through `core` along `axis`: 'x' is its row, 'y' its column. */
export function lineOf(core: Core, axis: Axis): Line {
  return axis === 'x'
    ? { axis, pos: core.x, length: core.cols, low: W, high: E }
    : { axis, pos: core.y, length: core.rows, low: N, high: S };
}

/** A route from `from` to `to` along the line (to ≠ from), optionally multicast to every core between. */
export function lineRoute(line: Line, color: number, from: number, to: number, multicast = false): Route {
  return route(color, to > from ? line.high : line.low, Math.abs(to - from), multicast);
}
