import { mapAnthropicStopReason } from '../../telemetry/response/map-anthropic-stop-reason'
import type { Converted } from '../converted'
import type { OpenAIFinishReason } from '../openai-chat-api'

/**
 * The `finish_reason` an OpenAI client gets for Anthropic's `stop_reason`: the shared mapping,
 * and for a reason added after it, `stop` (the answer did end) with a warning naming it.
 */
export function anthropicFinishReason(reason: string | null | undefined): Converted<OpenAIFinishReason | null> {
  const mapped = mapAnthropicStopReason(reason)
  if (mapped !== null || reason === null || reason === undefined) return { value: mapped, warnings: [] }
  return { value: 'stop', warnings: [`stop_reason ${JSON.stringify(reason)} is unknown; answered as stop`] }
}
