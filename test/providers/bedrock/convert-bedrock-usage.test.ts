import { describe, expect, test } from 'bun:test'
import type { TokenUsage } from '../../../src/providers/bedrock/bedrock-api'
import { convertBedrockUsage } from '../../../src/providers/bedrock/convert-bedrock-usage'

const table: Array<{ name: string; usage: TokenUsage; expected: unknown }> = [
  {
    name: 'no cache',
    usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
    expected: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, prompt_tokens_details: { cached_tokens: 0 } },
  },
  {
    name: 'cache reads and writes count as prompt tokens; reads are the cached ones, writes named apart',
    usage: { inputTokens: 10, outputTokens: 5, totalTokens: 1515, cacheReadInputTokens: 1000, cacheWriteInputTokens: 500 },
    expected: { prompt_tokens: 1510, completion_tokens: 5, total_tokens: 1515, prompt_tokens_details: { cached_tokens: 1000, cache_write_tokens: 500 } },
  },
  {
    name: 'a missing total is the sum',
    usage: { inputTokens: 3, outputTokens: 4, cacheReadInputTokens: 2 },
    expected: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9, prompt_tokens_details: { cached_tokens: 2 } },
  },
]

describe('convertBedrockUsage', () => {
  for (const { name, usage, expected } of table) test(name, () => expect(convertBedrockUsage(usage)).toEqual(expected as never))
})
