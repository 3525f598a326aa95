import { convertAnthropicUsage } from '../usage/convert-anthropic-usage'
import { mapAnthropicStopReason } from './map-anthropic-stop-reason'
import { errorOf, parseJson, type ResponseSummary, type StreamAssembler } from './response-summary'

/**
 * Assembles Anthropic Messages stream events into the Message a non-streamed request
 * would have returned. Usage arrives in two parts: input counts in `message_start`,
 * cumulative output counts in `message_delta`.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */
export function createAnthropicStreamAssembler(): StreamAssembler {
  let message: any = null
  const blocks: any[] = []
  const partialJson = new Map<number, string>()
  let usage: Record<string, unknown> = {}
  let stopReason: string | null = null
  let stopSequence: string | null = null
  let error: ResponseSummary['error'] = null
  let sawContent = false
  let closed = false

  return {
    get sawContent() {
      return sawContent
    },
    get closed() {
      return closed || error !== null
    },
    get ended() {
      return closed || error !== null
    },
    event({ data }) {
      const event = parseJson(data)
      if (event === undefined || event === null) return
      switch (event.type) {
        case 'message_stop':
          closed = true
          break
        case 'message_start':
          message = event.message ?? {}
          usage = { ...message.usage }
          break
        case 'content_block_start':
          blocks[event.index] = { ...event.content_block }
          break
        case 'content_block_delta': {
          const block = blocks[event.index]
          const delta = event.delta ?? {}
          if (block === undefined) break
          sawContent = true
          if (delta.type === 'text_delta') block.text = (block.text ?? '') + delta.text
          else if (delta.type === 'thinking_delta') block.thinking = (block.thinking ?? '') + delta.thinking
          else if (delta.type === 'signature_delta') block.signature = (block.signature ?? '') + delta.signature
          else if (delta.type === 'input_json_delta') partialJson.set(event.index, (partialJson.get(event.index) ?? '') + delta.partial_json)
          break
        }
        case 'content_block_stop': {
          const json = partialJson.get(event.index)
          if (json !== undefined && blocks[event.index]) blocks[event.index].input = parseJson(json || '{}') ?? json
          break
        }
        case 'message_delta':
          stopReason = event.delta?.stop_reason ?? stopReason
          stopSequence = event.delta?.stop_sequence ?? stopSequence
          // Anthropic sends the counts it does not repeat as null: they must not wipe message_start's.
          for (const [key, value] of Object.entries(event.usage ?? {})) if (value !== null && value !== undefined) usage[key] = value
          break
        case 'error':
          error = errorOf(event)
          break
      }
    },
    summary() {
      const model = message?.model ?? null
      return {
        model,
        tokens: message === null ? null : convertAnthropicUsage(usage),
        finishReason: mapAnthropicStopReason(stopReason),
        finishReasonRaw: stopReason,
        payload: message === null ? null : { ...message, content: blocks.filter(Boolean), stop_reason: stopReason, stop_sequence: stopSequence, usage },
        error,
      }
    },
  }
}
