// Control messages are packed into bytes that own their ArrayBuffer exactly, so transferring them moves only
// these bytes (msgpackr returns a Buffer view of its reusable buffer, and Buffer.prototype.slice is a view too).
import { expect, it } from 'vitest';
import { pack, unpack, type Command } from '@wafer/fabric';

it('pack returns an exactly sized copy that unpacks to the message', () => {
  const cmd: Command = { type: 'place', name: 'w', cores: [0, 3], data: [Float32Array.of(1, 2), Float32Array.of(3)] };
  const first = pack(cmd);
  const second = pack({ type: 'free', name: 'w' });
  for (const bytes of [first, second]) {
    expect(bytes.byteOffset).toBe(0);
    expect(bytes.buffer.byteLength).toBe(bytes.byteLength);
  }
  expect(first.buffer).not.toBe(second.buffer);
  expect(unpack<Command>(first)).toEqual(cmd);
});
