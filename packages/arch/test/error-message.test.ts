// A WaferError's message is one printable line, whatever a file's names and excerpts put into it: line breaks
// and control characters are escaped, and a message longer than MAX_ERROR_MESSAGE_CHARS is cut (the fuzzer
// found JSON.parse excerpts with newlines in machine-file errors).
import { expect, it } from 'vitest';
import { MAX_ERROR_MESSAGE_CHARS, WaferError } from '@wafer/arch';

it('escapes line breaks and control characters', () => {
  const e = new WaferError('BAD_CONFIG', 'm.json: not valid JSON (... "name": !"dev",\n  "d"...)\r\x1b[31m\u2028\t\x00é');
  expect(e.message).toBe('m.json: not valid JSON (... "name": !"dev",\\n  "d"...)\\r\\x1b[31m\\u2028\\t\\x00é');
});

it('cuts a message longer than MAX_ERROR_MESSAGE_CHARS', () => {
  const e = new WaferError('BAD_HEADER', `tensor ${'x'.repeat(5000)} is bad`);
  expect(e.message).toHaveLength(MAX_ERROR_MESSAGE_CHARS);
  expect(e.message.endsWith('…')).toBe(true);
  expect(new WaferError('BAD_HEADER', 'short').message).toBe('short');
});
