// GPT-2's byte-to-unicode map used by byte-level BPE (Llama 3): every byte gets a printable character, so a
// token's string is its bytes. Printable Latin-1 bytes map to themselves; the rest to U+0100 onwards.

function buildByteToChar(): string[] {
  const printable = (b: number): boolean =>
    (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const chars: string[] = new Array(256);
  let next = 0x100; // the non-printable bytes, in byte order, take U+0100, U+0101, ...
  for (let b = 0; b < 256; b++) chars[b] = String.fromCharCode(printable(b) ? b : next++);
  return chars;
}

/** BYTE_TO_CHAR[b] is the character byte-level BPE writes for byte b (space → 'Ġ', '\n' → 'Ċ'). */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();

const CHAR_TO_BYTE = new Map<string, number>(BYTE_TO_CHAR.map((c, b) => [c, b]));

/** The bytes a byte-level token string stands for, or undefined if it holds a character outside the map. */
export function byteLevelBytes(token: string): Uint8Array | undefined {
  const bytes = new Uint8Array(token.length); // every mapped char is one UTF-16 unit
  for (let i = 0; i < token.length; i++) {
    const b = CHAR_TO_BYTE.get(token[i]);
    if (b === undefined) return undefined;
    bytes[i] = b;
  }
  return bytes;
}

/** The byte-level token string of some text: its UTF-8 bytes, each as its mapped character. */
export function byteLevelString(text: string): string {
  let out = '';
  for (const b of new TextEncoder().encode(text)) out += BYTE_TO_CHAR[b];
  return out;
}

/** Llama 3's pre-tokenizer split regex (tokenizer.json `Split` pattern; llama.cpp's 'llama-bpe'). */
export const LLAMA3_SPLIT_REGEX =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
