import type { OpenAIUsage } from '../openai-chat-api'
import type { AnthropicUsage } from './anthropic-api'

/**
 * Anthropic usage in OpenAI's shape. Anthropic counts uncached input, cache reads and cache
 * writes apart; OpenAI's `prompt_tokens` is the whole prompt, so it is their sum, and
 * `cached_tokens` the reads. A count Anthropic did not report stays null (unknown, not 0).
 * @see https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#tracking-cache-performance
 */
export function convertAnthropicUsage(usage: AnthropicUsage | null | undefined): OpenAIUsage {
  const uncached = count(usage?.input_tokens)
  const cacheRead = count(usage?.cache_read_input_tokens)
  const cacheWrite = count(usage?.cache_creation_input_tokens)
  const prompt = uncached === null ? null : uncached + (cacheRead ?? 0) + (cacheWrite ?? 0)
  const completion = count(usage?.output_tokens)
  const converted: OpenAIUsage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt !== null && completion !== null ? prompt + completion : null,
    prompt_tokens_details: { cached_tokens: cacheRead, cache_write_tokens: cacheWrite },
  }
  const thinking = count(usage?.output_tokens_details?.thinking_tokens)
  if (thinking !== null) converted.completion_tokens_details = { reasoning_tokens: thinking }
  return converted
}

function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null
}
