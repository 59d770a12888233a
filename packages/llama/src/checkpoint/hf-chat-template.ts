// The chat template of a Hugging Face model directory: `chat_template.jinja` (newer transformers) or the
// `chat_template` field of `tokenizer_config.json` (a string, or a list of named templates: 'default').

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WaferError } from '@wafer/arch';

/** The directory's chat template, or undefined when it has none. A malformed file is BAD_HEADER naming it. */
export function findHfChatTemplate(dir: string): string | undefined {
  const jinjaPath = join(dir, 'chat_template.jinja');
  if (existsSync(jinjaPath)) return readFileSync(jinjaPath, 'utf8');
  const configPath = join(dir, 'tokenizer_config.json');
  if (!existsSync(configPath)) return undefined;
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (err) {
    throw new WaferError('BAD_HEADER', `${configPath} is not valid JSON: ${(err as Error).message}`);
  }
  const template = (config as { chat_template?: unknown } | null)?.chat_template;
  if (template === undefined || template === null) return undefined;
  if (typeof template === 'string') return template;
  if (Array.isArray(template)) {
    const named = template.find((t) => (t as { name?: unknown })?.name === 'default') as { template?: unknown } | undefined;
    if (typeof named?.template === 'string') return named.template;
  }
  throw new WaferError('BAD_HEADER', `${configPath}: chat_template must be a string or a list with a 'default' entry`);
}
