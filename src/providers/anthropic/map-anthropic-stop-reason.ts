import type { Converted } from '../converted'
import type { OpenAIFinishReason } from '../openai-chat-api'

/**
 * Anthropic's `stop_reason` as OpenAI's `finish_reason`. `pause_turn` (a server tool paused
 * a long turn) ends this answer normally from the client's view; a reason added after this
 * table is answered as `stop` with a warning naming it.
 * @see https://docs.anthropic.com/en/api/handling-stop-reasons
 */
export function mapAnthropicStopReason(reason: string | null | undefined): Converted<OpenAIFinishReason | null> {
  switch (reason) {
    case null:
    case undefined:
      return { value: null, warnings: [] }
    case 'end_turn':
    case 'stop_sequence':
    case 'pause_turn':
      return { value: 'stop', warnings: [] }
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return { value: 'length', warnings: [] }
    case 'tool_use':
      return { value: 'tool_calls', warnings: [] }
    case 'refusal':
      return { value: 'content_filter', warnings: [] }
    default:
      return { value: 'stop', warnings: [`stop_reason ${JSON.stringify(reason)} is unknown; answered as stop`] }
  }
}
