import type { TokenCounts } from '../request-record'
import { count } from './convert-openai-usage'

/**
 * Anthropic reports uncached input, cache reads and cache writes separately; the prompt's
 * size is their sum, which is what `input` means everywhere else in the record. A count
 * Anthropic did not report stays null (unknown, not 0).
 * @see https://docs.anthropic.com/en/api/messages#response-usage
 * @see https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#tracking-cache-performance
 */
export function convertAnthropicUsage(usage: unknown): TokenCounts | null {
  if (usage === null || typeof usage !== 'object') return null
  const u = usage as Record<string, any>
  const uncached = count(u.input_tokens)
  const cacheRead = count(u.cache_read_input_tokens)
  const cacheWrite = count(u.cache_creation_input_tokens)
  const input = uncached === null ? null : uncached + (cacheRead ?? 0) + (cacheWrite ?? 0)
  const output = count(u.output_tokens)
  return {
    input,
    output,
    total: input !== null && output !== null ? input + output : null,
    cached_input: cacheRead,
    cache_write_input: cacheWrite,
    reasoning: count(u.output_tokens_details?.thinking_tokens),
  }
}
