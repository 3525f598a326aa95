import { describe, expect, test } from 'bun:test'
import type { TokenCounts } from '../../../src/telemetry/request-record'
import { convertAnthropicUsage } from '../../../src/telemetry/usage/convert-anthropic-usage'

const counts = (input: number | null, output: number | null, total: number | null, cached: number | null, cacheWrite: number | null): TokenCounts => ({
  input,
  output,
  total,
  cached_input: cached,
  cache_write_input: cacheWrite,
  reasoning: null,
})

// https://docs.anthropic.com/en/api/messages#response-usage: input_tokens counts only the
// uncached part; the prompt is input + cache reads + cache writes.
const usageCases: Array<{ name: string; usage: unknown; expected: TokenCounts | null }> = [
  {
    name: 'input is uncached + cache read + cache write',
    usage: { input_tokens: 472, cache_creation_input_tokens: 100, cache_read_input_tokens: 2000, output_tokens: 89 },
    expected: counts(2572, 89, 2661, 2000, 100),
  },
  {
    name: 'newer usage with a cache_creation breakdown and service tier',
    usage: {
      input_tokens: 10,
      cache_creation_input_tokens: 30,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 30, ephemeral_1h_input_tokens: 0 },
      output_tokens: 5,
      service_tier: 'standard',
    },
    expected: counts(40, 5, 45, 0, 30),
  },
  { name: 'no cache fields: cache counts unknown, not 0', usage: { input_tokens: 25, output_tokens: 1 }, expected: counts(25, 1, 26, null, null) },
  { name: 'cache fields set to null', usage: { input_tokens: 25, cache_creation_input_tokens: null, cache_read_input_tokens: null, output_tokens: 1 }, expected: counts(25, 1, 26, null, null) },
  { name: 'output only (a bare message_delta usage)', usage: { output_tokens: 89 }, expected: counts(null, 89, null, null, null) },
  { name: 'input only', usage: { input_tokens: 12 }, expected: counts(12, null, null, null, null) },
  { name: 'an empty object', usage: {}, expected: counts(null, null, null, null, null) },
  {
    name: 'thinking tokens are the reasoning tokens',
    usage: { input_tokens: 1, output_tokens: 50, output_tokens_details: { thinking_tokens: 30 } },
    expected: { ...counts(1, 50, 51, null, null), reasoning: 30 },
  },
  { name: 'negative and NaN counts are unknown', usage: { input_tokens: -1, output_tokens: Number.NaN }, expected: counts(null, null, null, null, null) },
  // Summed, or added up in the metrics, numbers this large would reach Infinity.
  { name: 'counts past 2^53 are unknown', usage: { input_tokens: 1e308, cache_read_input_tokens: 1e308, output_tokens: Number.POSITIVE_INFINITY }, expected: counts(null, null, null, null, null) },
  { name: 'null usage', usage: null, expected: null },
  { name: 'absent usage', usage: undefined, expected: null },
]

describe('convertAnthropicUsage', () => {
  for (const { name, usage, expected } of usageCases) {
    test(name, () => {
      expect(convertAnthropicUsage(usage)).toEqual(expected)
    })
  }
})

