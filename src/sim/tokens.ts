/**
 * The simulator's tokenizer: a deterministic approximation, not any model's real vocabulary.
 *
 * A token is an optional run of leading whitespace followed by one of: up to 8 letters, up to 3
 * digits, or one other character; trailing whitespace at the very end is a token of its own. Joining
 * the tokens gives back the text exactly. English prose comes out near 4.5 characters per token,
 * in the range of BPE tokenizers, which is what usage, cost and budget code needs to be exercised.
 *
 * Chat prompts count like OpenAI's documented accounting: each message adds 3 tokens to its content,
 * and the reply is primed with 3 more.
 */

const TOKEN = /\s*(?:\p{L}{1,8}|\p{N}{1,3}|[^\s\p{L}\p{N}])|\s+/gu;

/** The text split into tokens; `tokens.join("") === text`. */
export function tokenize(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

/** The number of tokens `tokenize` would return, without building the array. */
export function countTokens(text: string): number {
  TOKEN.lastIndex = 0;
  let n = 0;
  while (TOKEN.exec(text) !== null) n++;
  return n;
}

/** Per-message and priming overheads of OpenAI's chat format. */
export const CHAT_TOKENS_PER_MESSAGE = 3;
export const CHAT_REPLY_PRIMING_TOKENS = 3;

/** Prompt tokens of a chat request whose messages have these text contents. */
export function countChatTokens(contents: readonly string[]): number {
  let n = CHAT_REPLY_PRIMING_TOKENS;
  for (const c of contents) n += countTokens(c) + CHAT_TOKENS_PER_MESSAGE;
  return n;
}
