/**
 * The default prompt-length estimate for routing: UTF-8 bytes / 4, rounded up — about what BPE
 * tokenizers give for English text. A rule's threshold is a coarse guard (long prompts to a
 * long-context model), so an estimate serves; pass `countTokens` for a model's real tokenizer.
 */
export function approximateTokens(text: string): number {
  return Math.ceil(Buffer.byteLength(text, "utf8") / 4);
}
