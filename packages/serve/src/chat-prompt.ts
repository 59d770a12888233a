// Turns chat messages into one prompt: the checkpoint's own Jinja chat template when it carries one
// (rendered with @huggingface/jinja), else wafer's plain template (the bundled models have none).
import { Template } from '@huggingface/jinja';
import { WaferError } from '@wafer/arch';
import { ApiError } from './api-error.js';

/** One chat message after validation: content is plain text (text parts joined). */
export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant';
  content: string;
}

/** Labels of the plain template, by role ('developer' is OpenAI's newer name for 'system'). */
const PLAIN_LABELS: Record<ChatMessage['role'], string> = { system: 'System', developer: 'System', user: 'User', assistant: 'Assistant' };

/**
 * The plain template: one line per message, `System: …`, `User: …` or `Assistant: …`, each ending in "\n",
 * then `Assistant:` for the model to continue. BOS is added by the tokenizer, as for `wafer run -p`.
 */
export function plainChatPrompt(messages: readonly ChatMessage[]): string {
  return `${messages.map((m) => `${PLAIN_LABELS[m.role]}: ${m.content}\n`).join('')}Assistant:`;
}

/** With the plain template the model may go on to write the user's next turn: generation stops there. */
export const PLAIN_CHAT_STOP = '\nUser:';

/** The prompt text of a chat (to be encoded with BOS) and the stop strings its template implies. */
export interface ChatPrompt {
  /** Without a leading BOS text: a template that writes `{{ bos_token }}` has it cut, so BOS appears once. */
  text: string;
  /** The plain template's next-turn marker; none for a checkpoint's template (it ends turns with EOS). */
  stops: string[];
}

/** A chat formatter for one model: its Jinja template, parsed once, or the plain template. */
export class ChatFormatter {
  private readonly template: Template | undefined;

  /**
   * `source`: the checkpoint's chat template, or undefined for the plain one. `bosToken`/`eosToken`: the texts
   * of BOS/EOS, as templates expect them (`{{ bos_token }}`). A template that does not parse is BAD_HEADER.
   */
  constructor(
    source: string | undefined,
    private readonly bosToken: string,
    private readonly eosToken: string,
  ) {
    try {
      this.template = source === undefined ? undefined : new Template(source);
    } catch (err) {
      throw new WaferError('BAD_HEADER', `the checkpoint's chat template does not parse: ${(err as Error).message}`);
    }
  }

  /** 'jinja' when the checkpoint's template is used, else 'plain'. */
  get kind(): 'jinja' | 'plain' {
    return this.template === undefined ? 'plain' : 'jinja';
  }

  /** Formats `messages`; a template that raises (e.g. roles out of order) is a 400 with its message. */
  format(messages: readonly ChatMessage[]): ChatPrompt {
    if (this.template === undefined) return { text: plainChatPrompt(messages), stops: [PLAIN_CHAT_STOP] };
    let text: string;
    try {
      text = this.template.render({ messages, add_generation_prompt: true, bos_token: this.bosToken, eos_token: this.eosToken });
    } catch (err) {
      throw new ApiError(400, `the model's chat template rejected the messages: ${(err as Error).message}`, 'invalid_request_error', null, 'messages');
    }
    const withBos = this.bosToken !== '' && text.startsWith(this.bosToken);
    return { text: withBos ? text.slice(this.bosToken.length) : text, stops: [] };
  }
}
