// `--api-key`: every /v1 route needs `Authorization: Bearer KEY`. Keys are compared as SHA-256 digests with
// crypto.timingSafeEqual, so the comparison takes the same time whatever the key's length or content.
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** A checker of Authorization headers against one key. */
export class BearerAuth {
  private readonly keyDigest: Buffer;

  constructor(key: string) {
    this.keyDigest = digest(key);
  }

  /** True when `header` is exactly `Bearer <key>` (the scheme is case-insensitive, as RFC 7235 says). */
  accepts(header: string | undefined): boolean {
    const match = /^bearer (.*)$/i.exec(header ?? '');
    const same = timingSafeEqual(digest(match?.[1] ?? ''), this.keyDigest);
    return match !== null && same;
  }
}
