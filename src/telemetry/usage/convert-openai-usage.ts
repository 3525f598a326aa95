import type { TokenCounts } from '../request-record'

/**
 * OpenAI-style usage to token counts. Chat Completions name them prompt/completion,
 * the Responses API input/output; both carry cached and reasoning details. Cache writes
 * are not in OpenAI's own answers: OpenRouter reports them as `cache_write_tokens` beside
 * `cached_tokens`, and so does the gateway's translation of Anthropic and Bedrock answers.
 * A count the provider did not report stays null.
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage
 * @see https://openrouter.ai/docs/use-cases/usage-accounting
 */
export function convertOpenAIUsage(usage: unknown): TokenCounts | null {
  if (usage === null || typeof usage !== 'object') return null
  const u = usage as Record<string, any>
  const input = count(u.prompt_tokens ?? u.input_tokens)
  const completion = count(u.completion_tokens ?? u.output_tokens)
  const reasoning = count((u.completion_tokens_details ?? u.output_tokens_details)?.reasoning_tokens)
  const total = count(u.total_tokens) ?? (input !== null && completion !== null ? input + completion : null)
  // OpenAI counts reasoning inside the completion; xAI (and Gemini's compatible API) beside it,
  // and only in the total. Its output is then the completion and the reasoning: they are billed.
  const reasoningBeside = input !== null && completion !== null && reasoning !== null && reasoning > 0 && total === input + completion + reasoning
  const inputDetails = u.prompt_tokens_details ?? u.input_tokens_details
  return {
    input,
    output: reasoningBeside ? completion + reasoning : completion,
    total,
    cached_input: count(inputDetails?.cached_tokens),
    cache_write_input: count(inputDetails?.cache_write_tokens),
    reasoning,
  }
}

/**
 * A token count as the upstream sent it, or null when it is none. Past 2^53 it is no count either:
 * sums of such numbers reach Infinity, which prom-client refuses, and one Infinity in a tally
 * would fail every later scrape of /metrics.
 */
export function count(value: unknown): number | null {
  return typeof value === 'number' && value >= 0 && value <= Number.MAX_SAFE_INTEGER ? value : null
}
