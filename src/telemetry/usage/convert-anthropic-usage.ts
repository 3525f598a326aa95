import type { TokenCounts } from '../request-record'
import { count } from './convert-openai-usage'

/**
 * Anthropic reports uncached input, cache reads and cache writes separately; the prompt's
 * size is their sum, which is what `input` means everywhere else in the record.
 * @see https://docs.anthropic.com/en/api/messages#response-usage
 */
export function convertAnthropicUsage(usage: unknown): TokenCounts | null {
  if (usage === null || typeof usage !== 'object') return null
  const u = usage as Record<string, unknown>
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
    reasoning: null,
  }
}

/**
 * Anthropic's stop_reason in OpenAI's finish_reason vocabulary.
 * @see https://docs.anthropic.com/en/api/handling-stop-reasons
 */
export function mapAnthropicStopReason(reason: string | null | undefined): string | null {
  switch (reason) {
    case null:
    case undefined:
      return null
    case 'end_turn':
    case 'stop_sequence':
    case 'pause_turn':
      return 'stop'
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length'
    case 'tool_use':
      return 'tool_calls'
    case 'refusal':
      return 'content_filter'
    default:
      return 'other'
  }
}
