import type { TokenCounts } from '../telemetry/request-record'
import type { OpenAIUsage } from './openai-chat-api'

/**
 * Token counts in OpenAI's `usage` shape, for a translated answer. Every count stays as it
 * is, null included (unknown, not 0); cache writes go where OpenRouter puts them, and
 * reasoning details appear only when the provider reported them.
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage
 */
export function toOpenAIUsage(tokens: TokenCounts | null): OpenAIUsage {
  const usage: OpenAIUsage = {
    prompt_tokens: tokens?.input ?? null,
    completion_tokens: tokens?.output ?? null,
    total_tokens: tokens?.total ?? null,
    prompt_tokens_details: { cached_tokens: tokens?.cached_input ?? null, cache_write_tokens: tokens?.cache_write_input ?? null },
  }
  if (tokens?.reasoning != null) usage.completion_tokens_details = { reasoning_tokens: tokens.reasoning }
  return usage
}
