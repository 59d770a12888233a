// Reads what wafer needs from a Hugging Face tokenizer.json beyond encoding: which decoding style its decoder
// chain is (byte-level or SentencePiece-like), and which ids are BOS and EOS.

import { WaferError } from '@wafer/arch';

/** The parts of tokenizer.json this module reads (the encoder reads the rest). */
export interface HfTokenizerJson {
  added_tokens?: { id: number; content: string; special?: boolean }[];
  pre_tokenizer?: HfComponent | null;
  post_processor?: HfComponent | null;
  decoder?: HfComponent | null;
  model: { type: string; vocab: Record<string, number>; merges: unknown[]; byte_fallback?: boolean };
}

/** One normalizer / pre-tokenizer / post-processor / decoder entry; Sequence nests others. */
export interface HfComponent {
  type: string;
  [field: string]: unknown;
}

/** tokenizer_config.json fields that name special tokens (a string or an AddedToken object). */
export interface HfTokenizerConfig {
  bos_token?: string | { content: string } | null;
  eos_token?: string | { content: string } | null;
  [field: string]: unknown;
}

/** How ids turn into bytes: byte-level (GPT-2 map) or SentencePiece-like ('▁' is a space, `<0xXX>` a byte). */
export interface HfDecodeStyle {
  byteLevel: boolean;
  /** `<0xXX>` pieces are raw bytes (a ByteFallback decoder). */
  byteFallback: boolean;
  /** The decoder strips one leading space from the text (Strip start 1, or Metaspace with a prepend scheme). */
  stripLeadingSpace: boolean;
}

const KNOWN_BOS = ['<s>', '<|begin_of_text|>'];
const KNOWN_EOS = ['</s>', '<|end_of_text|>', '<|endoftext|>'];

/** Sequence components flattened, in order. */
function flatten(component: HfComponent | null | undefined): HfComponent[] {
  if (component === null || component === undefined) return [];
  const children = component.decoders ?? component.processors ?? component.pretokenizers;
  return component.type === 'Sequence' && Array.isArray(children) ? (children as HfComponent[]).flatMap(flatten) : [component];
}

function isSpaceReplace(step: HfComponent, from: string, to: string): boolean {
  const pattern = step.pattern as { String?: string } | undefined;
  return pattern?.String === from && step.content === to;
}

/** Classify the decoder chain; a chain wafer cannot reproduce token by token is UNSUPPORTED. */
export function decodeStyle(json: HfTokenizerJson, source: string): HfDecodeStyle {
  const steps = flatten(json.decoder);
  if (steps.some((s) => s.type === 'ByteLevel')) {
    if (steps.length !== 1) throw unsupported(source, steps);
    return { byteLevel: true, byteFallback: false, stripLeadingSpace: false };
  }
  const style: HfDecodeStyle = { byteLevel: false, byteFallback: false, stripLeadingSpace: false };
  for (const step of steps) {
    if (step.type === 'ByteFallback') style.byteFallback = true;
    else if (step.type === 'Fuse') continue;
    else if (step.type === 'Replace' && isSpaceReplace(step, '▁', ' ')) continue;
    else if (step.type === 'Strip' && step.content === ' ' && step.start === 1 && step.stop === 0) style.stripLeadingSpace = true;
    else if (step.type === 'Metaspace' && (step.replacement ?? '▁') === '▁') style.stripLeadingSpace = step.prepend_scheme !== 'never';
    else throw unsupported(source, steps);
  }
  return style;
}

function unsupported(source: string, steps: HfComponent[]): WaferError {
  const chain = steps.map((s) => s.type).join(', ') || 'none';
  return new WaferError('UNSUPPORTED', `tokenizer ${source}: decoder chain [${chain}] is neither byte-level nor Llama-2-style (Replace ▁, ByteFallback, Fuse, Strip)`);
}

/** The BOS the post-processor template puts first, e.g. `<s>` or `<|begin_of_text|>`. */
function templateBos(json: HfTokenizerJson): number | undefined {
  for (const step of flatten(json.post_processor)) {
    if (step.type !== 'TemplateProcessing') continue;
    const first = (step.single as { SpecialToken?: { id: string } }[] | undefined)?.[0]?.SpecialToken;
    const specials = step.special_tokens as Record<string, { ids?: unknown }> | undefined;
    const name = first?.id;
    if (typeof specials !== 'object' || specials === null || typeof name !== 'string' || !Object.hasOwn(specials, name)) continue;
    const ids = specials[name]?.ids;
    if (Array.isArray(ids) && ids.length === 1 && Number.isSafeInteger(ids[0])) return ids[0] as number;
  }
  return undefined;
}

function tokenName(token: HfTokenizerConfig['bos_token']): string | undefined {
  return typeof token === 'string' ? token : (token?.content ?? undefined);
}

/**
 * BOS: the post-processor template, else tokenizer_config.json's bos_token, else a known name (`<s>`,
 * `<|begin_of_text|>`). EOS: tokenizer_config.json's eos_token, else a known name (`</s>`, `<|end_of_text|>`,
 * `<|endoftext|>`). Neither found → UNSUPPORTED naming the file.
 */
export function specialIds(json: HfTokenizerJson, config: HfTokenizerConfig, idOf: (token: string) => number | undefined, source: string): { bosId: number; eosId: number } {
  const find = (what: string, configured: string | undefined, known: string[]): number => {
    for (const name of configured === undefined ? known : [configured]) {
      const id = idOf(name);
      if (id !== undefined) return id;
    }
    const tried = configured === undefined ? known.join(', ') : configured;
    throw new WaferError('UNSUPPORTED', `tokenizer ${source}: cannot tell the ${what} token (tried ${tried}); put a tokenizer_config.json naming ${what.toLowerCase()}_token beside it`);
  };
  const bosId = templateBos(json) ?? find('BOS', tokenName(config.bos_token), KNOWN_BOS);
  const eosId = find('EOS', tokenName(config.eos_token), KNOWN_EOS);
  return { bosId, eosId };
}
