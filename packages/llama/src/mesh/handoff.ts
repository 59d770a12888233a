// The decode hand-off between consecutive regions: the residual vector (split along Y, replicated along X)
// leaves the last layer of one region for the first layer of the next, as real messages over the fabric.
//   east / west: the edge column of the old region multicasts each row's slice across the new region's row
//                (one route of C hops, no relay).
//   south:       row y's slice goes straight down R hops from the old region's core (y mod C, y) to the new
//                region's core (y mod C, y), which multicasts it both ways along its row. Rows that share a
//                column use different colours (⌊y / C⌋), so no two flows of one colour ever merge.

import { E, S, W, route, usageError, handoffSide, type Core, type RecvRequest, type RegionRect } from '@wafer/arch';

type Gen<T = void> = Generator<RecvRequest, T, Float32Array>;

/** Colours of the hand-off (the decode program uses 0..14). */
const ACROSS = 15; // east or west across the whole new region
const ALONG_ROW = 16; // the second leg of a southward hand-off
const DOWN = 17; // southward legs: 17 + ⌊y / C⌋
const MAX_DOWN_COLORS = 32 - DOWN;

/** Checks that a region shape's southward hand-off has enough colours. */
export function checkHandoffShape(region: { rows: number; cols: number }): void {
  if (Math.ceil(region.rows / region.cols) > MAX_DOWN_COLORS) {
    throw usageError(`--region ${region.rows}x${region.cols} is too tall for its width: a southward hand-off needs ⌈rows/cols⌉ <= ${MAX_DOWN_COLORS} colours`);
  }
}

/** This core's part of sending the residual slice x (of its row) to region `to`. `core` is the region view. */
export function sendResidual(core: Core, from: RegionRect, to: RegionRect, x: Float32Array): void {
  const side = handoffSide(from, to);
  if (side === 'east' && core.x === core.cols - 1) core.send(route(ACROSS, E, to.cols, true), x);
  else if (side === 'west' && core.x === 0) core.send(route(ACROSS, W, to.cols, true), x);
  else if (side === 'south' && core.x === core.y % core.cols) core.send(route(DOWN + Math.floor(core.y / core.cols), S, from.rows), x);
}

/** Receives this row's residual slice from region `from` on region `to` (`core` is the region view). */
export function* recvResidual(core: Core, from: RegionRect, to: RegionRect): Gen<Float32Array> {
  if (handoffSide(from, to) !== 'south') return yield core.recv(ACROSS);
  const entry = core.y % core.cols;
  if (core.x !== entry) return yield core.recv(ALONG_ROW);
  const x = yield core.recv(DOWN + Math.floor(core.y / core.cols));
  if (entry + 1 < core.cols) core.send(route(ALONG_ROW, E, core.cols - 1 - entry, true), x);
  if (entry > 0) core.send(route(ALONG_ROW, W, entry, true), x);
  return x;
}
