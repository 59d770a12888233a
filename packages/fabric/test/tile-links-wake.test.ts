// When a tile's ring write wakes its reader: a sleeping tile thread at once, a host's bridge (a remote tile's
// reader, which batches what it forwards) only at the writer's flush; an awake reader never.
import { describe, expect, it } from 'vitest';
import { ControlState, createRingBuffer } from '@wafer/fabric';
import { TileLinks } from '../src/worker/tile-links.js';

function linksTo(remote: boolean) {
  const control = ControlState.create(2);
  const links = new TileLinks(0, [{ from: 0, to: 1, sab: createRingBuffer(4096), remote }], control, (n) => new Float32Array(n), () => undefined);
  return { control, links };
}

describe('tile links: waking the reader of a ring', () => {
  it('rings a sleeping tile thread at the write itself, empty messages included', () => {
    const { control, links } = linksTo(false);
    control.setSleeping(1, true);
    links.send(1, 5, 3, 1, 0, new Float32Array([1, 2]));
    expect(control.doorbell(1)).toBe(1);
    links.send(1, 5, 3, 1, 0, new Float32Array(0));
    expect(control.doorbell(1)).toBe(2);
    links.flush();
    expect(control.doorbell(1)).toBe(3); // the flush still rings: no wake-up depends on the write alone
  });

  it('does not ring an awake reader', () => {
    const { control, links } = linksTo(false);
    links.send(1, 5, 3, 1, 0, new Float32Array([1]));
    links.flush();
    expect(control.doorbell(1)).toBe(0);
  });

  it("rings a remote tile's bridge at the flush only, once for all the writes before it", () => {
    const { control, links } = linksTo(true);
    control.setSleeping(1, true); // a bridge keeps its remote tiles' flags up for good
    for (let k = 0; k < 5; k++) links.send(1, 5, 3, 1, 0, new Float32Array([k]));
    expect(control.doorbell(1)).toBe(0);
    links.flush();
    expect(control.doorbell(1)).toBe(1);
  });
});
