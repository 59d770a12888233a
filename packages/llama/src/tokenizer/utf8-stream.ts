// The byte-accumulating stream decoder every tokenizer shares: ids become raw bytes, and only complete
// UTF-8 characters are emitted, so a character split over several byte tokens never prints broken.

import type { StreamDecoder } from './types.js';

/** The raw bytes one id prints as, given the id printed before it (for the leading-space rule after BOS). */
export type PieceBytesFn = (id: number, prevId: number) => Uint8Array;

/**
 * A StreamDecoder over a tokenizer's per-id bytes. Incomplete UTF-8 sequences stay buffered until the
 * bytes that complete them arrive; invalid bytes become U+FFFD as soon as they are known to be invalid.
 */
export class ByteStreamDecoder implements StreamDecoder {
  // stream mode holds back an incomplete trailing sequence; ignoreBOM keeps a U+FEFF the model printed
  private readonly utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  private prevId: number;

  constructor(
    private readonly pieceBytes: PieceBytesFn,
    prevId: number,
  ) {
    this.prevId = prevId;
  }

  push(id: number): string {
    const bytes = this.pieceBytes(id, this.prevId);
    this.prevId = id;
    return this.utf8.decode(bytes, { stream: true });
  }

  flush(): string {
    return this.utf8.decode();
  }
}

/** Decode a whole sequence exactly as a ByteStreamDecoder would print it, flush included. */
export function decodeAll(pieceBytes: PieceBytesFn, ids: number[], prevId: number): string {
  const stream = new ByteStreamDecoder(pieceBytes, prevId);
  let text = '';
  for (const id of ids) text += stream.push(id);
  return text + stream.flush();
}

const BYTE_PIECE = /^<0x([0-9A-Fa-f]{2})>$/;

/** The byte value of a SentencePiece byte-fallback piece such as `<0x0A>`, or -1 for any other piece. */
export function byteOfPiece(piece: string): number {
  const match = BYTE_PIECE.exec(piece);
  return match === null ? -1 : parseInt(match[1], 16);
}

/** The name of the byte-fallback piece for a byte value: 10 → `<0x0A>`. */
export function bytePieceName(byte: number): string {
  return `<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`;
}
