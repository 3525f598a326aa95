import { describe, expect, test } from 'bun:test'
import type { AnthropicUsage } from '../../src/providers/anthropic/anthropic-api'
import type { OpenAIUsage } from '../../src/providers/openai-chat-api'
import { toOpenAIUsage } from '../../src/providers/to-openai-usage'
import { UNKNOWN_TOKENS } from '../../src/telemetry/request-record'
import { convertAnthropicUsage } from '../../src/telemetry/usage/convert-anthropic-usage'
import { convertOpenAIUsage } from '../../src/telemetry/usage/convert-openai-usage'

const cases: Array<{ name: string; usage: AnthropicUsage | null; expected: OpenAIUsage }> = [
  {
    name: 'plain input and output',
    usage: { input_tokens: 25, output_tokens: 15, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    expected: { prompt_tokens: 25, completion_tokens: 15, total_tokens: 40, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 } },
  },
  {
    name: 'cache reads and writes are part of the prompt',
    usage: { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 200, cache_read_input_tokens: 3000 },
    expected: { prompt_tokens: 3210, completion_tokens: 5, total_tokens: 3215, prompt_tokens_details: { cached_tokens: 3000, cache_write_tokens: 200 } },
  },
  {
    name: 'thinking tokens become reasoning tokens',
    usage: { input_tokens: 1, output_tokens: 50, output_tokens_details: { thinking_tokens: 30 } },
    expected: {
      prompt_tokens: 1,
      completion_tokens: 50,
      total_tokens: 51,
      prompt_tokens_details: { cached_tokens: null, cache_write_tokens: null },
      completion_tokens_details: { reasoning_tokens: 30 },
    },
  },
  {
    name: 'unreported counts stay null, never 0',
    usage: { output_tokens: 7 },
    expected: { prompt_tokens: null, completion_tokens: 7, total_tokens: null, prompt_tokens_details: { cached_tokens: null, cache_write_tokens: null } },
  },
  {
    name: 'no usage at all',
    usage: null,
    expected: { prompt_tokens: null, completion_tokens: null, total_tokens: null, prompt_tokens_details: { cached_tokens: null, cache_write_tokens: null } },
  },
  {
    name: 'nonsense counts are unknown',
    usage: { input_tokens: -1, output_tokens: Number.NaN } as AnthropicUsage,
    expected: { prompt_tokens: null, completion_tokens: null, total_tokens: null, prompt_tokens_details: { cached_tokens: null, cache_write_tokens: null } },
  },
]

// Anthropic usage as a translated answer carries it: the record's conversion, then OpenAI's shape.
describe('toOpenAIUsage(convertAnthropicUsage(usage))', () => {
  for (const { name, usage, expected } of cases) {
    test(name, () => expect(toOpenAIUsage(convertAnthropicUsage(usage))).toEqual(expected))
  }
})

// Telemetry reads a translated answer's usage as it reads OpenAI's: it must find the same counts.
describe('convertOpenAIUsage(toOpenAIUsage(tokens)) gives the tokens back', () => {
  for (const { name, usage } of cases) {
    test(name, () => {
      const tokens = convertAnthropicUsage(usage) ?? UNKNOWN_TOKENS
      expect(convertOpenAIUsage(toOpenAIUsage(tokens))).toEqual(tokens)
    })
  }
})
