import { describe, expect, test } from 'bun:test'
import type { TokenCounts } from '../../../src/telemetry/request-record'
import { convertOpenAIUsage } from '../../../src/telemetry/usage/convert-openai-usage'

const counts = (input: number | null, output: number | null, total: number | null, cached: number | null, reasoning: number | null): TokenCounts => ({
  input,
  output,
  total,
  cached_input: cached,
  cache_write_input: null,
  reasoning,
})

// Wire shapes from https://platform.openai.com/docs/api-reference/chat/object (usage) and
// https://platform.openai.com/docs/api-reference/responses/object (usage), plus Groq's x_groq.usage.
const cases: Array<{ name: string; usage: unknown; expected: TokenCounts | null }> = [
  {
    name: 'Chat Completions with cached and reasoning details',
    usage: {
      prompt_tokens: 1200,
      completion_tokens: 300,
      total_tokens: 1500,
      prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 128, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
    expected: counts(1200, 300, 1500, 1024, 128),
  },
  {
    name: 'Responses API naming',
    usage: { input_tokens: 37, input_tokens_details: { cached_tokens: 16 }, output_tokens: 11, output_tokens_details: { reasoning_tokens: 4 }, total_tokens: 48 },
    expected: counts(37, 11, 48, 16, 4),
  },
  {
    name: "OpenRouter's cache writes (also in the gateway's translated Anthropic and Bedrock answers)",
    usage: { prompt_tokens: 3210, completion_tokens: 5, total_tokens: 3215, prompt_tokens_details: { cached_tokens: 3000, cache_write_tokens: 200 } },
    expected: { ...counts(3210, 5, 3215, 3000, null), cache_write_input: 200 },
  },
  {
    name: 'cache writes reported as null or nonsense are unknown',
    usage: { prompt_tokens: 10, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: -3 } },
    expected: counts(10, 5, 15, 0, null),
  },
  {
    name: 'Groq x_groq.usage (timings are not counts)',
    usage: { queue_time: 0.02, prompt_tokens: 40, prompt_time: 0.002, completion_tokens: 12, completion_time: 0.04, total_tokens: 52, total_time: 0.042 },
    expected: counts(40, 12, 52, null, null),
  },
  { name: 'no details: cached and reasoning unknown, not 0', usage: { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21 }, expected: counts(9, 12, 21, null, null) },
  { name: 'details set to null', usage: { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21, prompt_tokens_details: null, completion_tokens_details: null }, expected: counts(9, 12, 21, null, null) },
  { name: 'no total: the sum of input and output', usage: { prompt_tokens: 9, completion_tokens: 12 }, expected: counts(9, 12, 21, null, null) },
  {
    // xAI counts reasoning beside the completion, in the total only; it is billed as output.
    name: 'xAI: reasoning beside the completion is output',
    usage: { prompt_tokens: 12, completion_tokens: 1, total_tokens: 399, completion_tokens_details: { reasoning_tokens: 386 } },
    expected: counts(12, 387, 399, null, 386),
  },
  {
    name: 'OpenAI: reasoning inside the completion is not counted twice',
    usage: { prompt_tokens: 12, completion_tokens: 400, total_tokens: 412, completion_tokens_details: { reasoning_tokens: 386 } },
    expected: counts(12, 400, 412, null, 386),
  },
  { name: 'embeddings: no output, total as reported', usage: { prompt_tokens: 8, total_tokens: 8 }, expected: counts(8, null, 8, null, null) },
  { name: 'only output known: no total invented', usage: { completion_tokens: 5 }, expected: counts(null, 5, null, null, null) },
  { name: 'zeros are real counts', usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, prompt_tokens_details: { cached_tokens: 0 } }, expected: counts(0, 0, 0, 0, null) },
  { name: 'negative, non-numeric and infinite values are unknown', usage: { prompt_tokens: -1, completion_tokens: '12', total_tokens: Number.POSITIVE_INFINITY }, expected: counts(null, null, null, null, null) },
  { name: 'an empty object: every count unknown', usage: {}, expected: counts(null, null, null, null, null) },
  { name: 'null usage', usage: null, expected: null },
  { name: 'absent usage', usage: undefined, expected: null },
  { name: 'not an object', usage: 'usage', expected: null },
]

describe('convertOpenAIUsage', () => {
  for (const { name, usage, expected } of cases) {
    test(name, () => {
      expect(convertOpenAIUsage(usage)).toEqual(expected)
    })
  }
})
