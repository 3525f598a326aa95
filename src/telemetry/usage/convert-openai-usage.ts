import type { TokenCounts } from '../request-record'

/**
 * OpenAI-style usage to token counts. Chat Completions name them prompt/completion,
 * the Responses API input/output; both carry cached and reasoning details.
 * A count the provider did not report stays null.
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage
 */
export function convertOpenAIUsage(usage: unknown): TokenCounts | null {
  if (usage === null || typeof usage !== 'object') return null
  const u = usage as Record<string, any>
  const input = count(u.prompt_tokens ?? u.input_tokens)
  const output = count(u.completion_tokens ?? u.output_tokens)
  const total = count(u.total_tokens) ?? (input !== null && output !== null ? input + output : null)
  return {
    input,
    output,
    total,
    cached_input: count((u.prompt_tokens_details ?? u.input_tokens_details)?.cached_tokens),
    cache_write_input: null,
    reasoning: count((u.completion_tokens_details ?? u.output_tokens_details)?.reasoning_tokens),
  }
}

export function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null
}
