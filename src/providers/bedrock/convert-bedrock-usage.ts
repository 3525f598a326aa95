import type { OpenAIUsage } from '../openai-chat-api'
import type { TokenUsage } from './bedrock-api'

/**
 * Converse usage in OpenAI's shape.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_TokenUsage.html
 * Bedrock counts cache reads and writes apart from `inputTokens`; OpenAI's `prompt_tokens`
 * counts every prompt token, cached ones included (`cached_tokens` says how many were read).
 * Cache writes, which cost more than plain input, are named as OpenRouter names them, and only
 * when Bedrock reported them.
 */
export function convertBedrockUsage(usage: TokenUsage): OpenAIUsage {
  const cacheRead = usage.cacheReadInputTokens ?? 0
  const prompt = (usage.inputTokens ?? 0) + cacheRead + (usage.cacheWriteInputTokens ?? 0)
  const completion = usage.outputTokens ?? 0
  const converted: OpenAIUsage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: usage.totalTokens ?? prompt + completion,
    prompt_tokens_details: { cached_tokens: cacheRead },
  }
  if (usage.cacheWriteInputTokens !== undefined) converted.prompt_tokens_details.cache_write_tokens = usage.cacheWriteInputTokens
  return converted
}
