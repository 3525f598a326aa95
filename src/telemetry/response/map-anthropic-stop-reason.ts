/**
 * Anthropic's `stop_reason` in OpenAI's `finish_reason` vocabulary, the record's unified one.
 * `pause_turn` (a server tool paused a long turn) ends the answer normally. A reason added
 * after this table is unknown: null, with the raw reason kept beside it.
 * @see https://docs.anthropic.com/en/api/handling-stop-reasons
 */
export function mapAnthropicStopReason(reason: string | null | undefined): 'stop' | 'length' | 'tool_calls' | 'content_filter' | null {
  switch (reason) {
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
      return null
  }
}
