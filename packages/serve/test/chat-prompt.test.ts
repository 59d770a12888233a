// Chat flattening: the documented plain template, and a checkpoint's Jinja template rendered with BOS once.
import { describe, expect, it } from 'vitest';
import { ChatFormatter, PLAIN_CHAT_STOP, plainChatPrompt } from '@wafer/serve';

// Llama 2 chat's template (as in its tokenizer_config.json), shortened to the parts that matter here.
const LLAMA2_TEMPLATE =
  "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}" +
  "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}" +
  "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'].strip() + ' [/INST]' }}" +
  "{% elif message['role'] == 'assistant' %}{{ ' ' + message['content'].strip() + ' ' + eos_token }}{% endif %}{% endfor %}";

describe('chat prompts', () => {
  it('the plain template: one labelled line per message, then "Assistant:"', () => {
    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello.' },
      { role: 'user', content: 'Tell a story' },
    ] as const;
    expect(plainChatPrompt(messages)).toBe('System: Be brief.\nUser: Hi\nAssistant: Hello.\nUser: Tell a story\nAssistant:');
    const f = new ChatFormatter(undefined, '<s>', '</s>');
    expect(f.kind).toBe('plain');
    expect(f.format(messages)).toEqual({ text: plainChatPrompt(messages), stops: [PLAIN_CHAT_STOP] });
  });

  it("a checkpoint's Jinja template is rendered, and its leading BOS text is cut (the tokenizer adds BOS)", () => {
    const f = new ChatFormatter(LLAMA2_TEMPLATE, '<s>', '</s>');
    expect(f.kind).toBe('jinja');
    const out = f.format([
      { role: 'user', content: ' Hi ' },
      { role: 'assistant', content: 'Hello.' },
      { role: 'user', content: 'More' },
    ]);
    expect(out).toEqual({ text: '[INST] Hi [/INST] Hello. </s>[INST] More [/INST]', stops: [] });
  });

  it('a template that raises is a 400 with its message; one that does not parse fails at load', () => {
    const f = new ChatFormatter(LLAMA2_TEMPLATE, '<s>', '</s>');
    expect(() => f.format([{ role: 'assistant', content: 'x' }])).toThrow(expect.objectContaining({ status: 400, message: expect.stringMatching(/roles must alternate/) }));
    expect(() => new ChatFormatter('{% for %}', '<s>', '</s>')).toThrow(/chat template does not parse/);
  });
});
