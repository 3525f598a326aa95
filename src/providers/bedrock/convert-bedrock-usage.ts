import type { TokenUsage } from './bedrock-api'

export interface OpenAIUsage {
  prompt_tokens: number
  completion_tokens: number
  total_tokens: number
  prompt_tokens_details: { cached_tokens: number }
}

/**
 * Converse usage in OpenAI's shape.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_TokenUsage.html
 * Bedrock counts cache reads and writes apart from `inputTokens`; OpenAI's `prompt_tokens`
 * counts every prompt token, cached ones included (`cached_tokens` says how many were read).
 */
export function convertBedrockUsage(usage: TokenUsage): OpenAIUsage {
  const cacheRead = usage.cacheReadInputTokens ?? 0
  const prompt = (usage.inputTokens ?? 0) + cacheRead + (usage.cacheWriteInputTokens ?? 0)
  const completion = usage.outputTokens ?? 0
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: usage.totalTokens ?? prompt + completion,
    prompt_tokens_details: { cached_tokens: cacheRead },
  }
}
