import { openAIErrorEvent } from '../../streaming/failure-frames'
import { createSseParser, type SseEvent } from '../../streaming/sse-parser'
import { convertAnthropicUsage } from '../../telemetry/usage/convert-anthropic-usage'
import type { OpenAIErrorBody, OpenAIFinishReason } from '../openai-chat-api'
import { toOpenAIUsage } from '../to-openai-usage'
import type { AnthropicUsage } from './anthropic-api'
import { anthropicFinishReason } from './anthropic-finish-reason'
import { convertAnthropicError } from './convert-anthropic-error'

export interface AnthropicToOpenAIStreamOptions {
  /** Unix seconds, the `created` of every chunk. */
  created: number
}

const encoder = new TextEncoder()

/**
 * Anthropic Messages SSE in, OpenAI `chat.completion.chunk` SSE out, event by event as
 * they arrive; all state lives in this closure.
 *
 * The stream always ends like an OpenAI stream with `stream_options.include_usage`: a
 * chunk with `choices: []` and the usage, then `data: [DONE]`, whether or not the client
 * asked for usage (telemetry reads it there). A failure (an `error` event, unreadable
 * data, an end before `message_stop`) ends it with the usage known so far (the input was
 * billed), then an OpenAI error event `data: {"error":{...}}`, then the end of the stream,
 * never `[DONE]`. The upstream is cancelled at once: nothing after the error is read.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming#event-types
 * @see https://platform.openai.com/docs/api-reference/chat-streaming/streaming
 */
export function createAnthropicToOpenAIStream({ created }: AnthropicToOpenAIStreamOptions): TransformStream<Uint8Array, Uint8Array> {
  /** The fields every chunk starts with, serialised once at `message_start`, without the closing brace. */
  let head: string | undefined
  const usage: AnthropicUsage = {}
  /** Anthropic content block index to OpenAI tool call index (tool calls count from 0). */
  const toolCallIndex = new Map<number, number>()
  /** Tool calls whose arguments have begun: one without any gets `{}` at its block's end, as OpenAI sends. */
  const toolCallsWithArguments = new Set<number>()
  let state: 'open' | 'done' | 'failed' = 'open'
  /** What the current network chunk produced: encoded and enqueued once per chunk, not per event. */
  let out = ''

  const chunk = (delta: string, finish: OpenAIFinishReason | null = null) =>
    `data: ${head},"choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish === null ? 'null' : `"${finish}"`}}]}\n\n`
  const usageChunk = () => `data: ${head},"choices":[],"usage":${JSON.stringify(toOpenAIUsage(convertAnthropicUsage(usage)))}}\n\n`

  const fail = (body: OpenAIErrorBody) => {
    if (head !== undefined) out += usageChunk()
    out += openAIErrorEvent(body)
    state = 'failed'
  }
  const protocolError = (message: string) =>
    fail({ error: { message: `Anthropic stream broken: ${message}`, type: 'upstream_error', param: null, code: 'upstream_stream_broken' } })

  const mergeUsage = (next: AnthropicUsage | null | undefined) => {
    if (next === null || typeof next !== 'object') return
    for (const key of Object.keys(next) as Array<keyof AnthropicUsage>) {
      if (next[key] !== null && next[key] !== undefined) (usage as Record<string, unknown>)[key] = next[key]
    }
  }

  const onEvent = ({ event, data }: SseEvent) => {
    if (state !== 'open' || event === 'ping') return
    let payload: any
    try {
      payload = JSON.parse(data)
    } catch {
      return protocolError(`event ${JSON.stringify(event)} carries data that is not JSON`)
    }
    const type: string = typeof payload?.type === 'string' ? payload.type : event
    if (type === 'error') return fail(convertAnthropicError(payload, undefined, data))
    if (type === 'message_start') {
      if (head !== undefined) return // A repeated start adds nothing: the id and model are already out.
      const message = payload.message ?? {}
      head = `{"id":${JSON.stringify(String(message.id ?? ''))},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(String(message.model ?? ''))}`
      mergeUsage(message.usage)
      out += chunk('{"role":"assistant","content":""}')
      return
    }
    if (head === undefined) {
      // Only events defined to come later need the head; unknown ones are skipped below anyway.
      if (type.startsWith('content_block_') || type.startsWith('message_')) return protocolError(`${type} before message_start`)
      return
    }
    switch (type) {
      case 'content_block_start':
        return onBlockStart(payload.index, payload.content_block)
      case 'content_block_delta':
        return onBlockDelta(payload.index, payload.delta)
      case 'content_block_stop': {
        const toolIndex = toolCallIndex.get(payload.index)
        if (toolIndex !== undefined && !toolCallsWithArguments.has(toolIndex)) out += chunk(`{"tool_calls":[{"index":${toolIndex},"function":{"arguments":"{}"}}]}`)
        return
      }
      case 'message_delta': {
        mergeUsage(payload.usage)
        const finish = anthropicFinishReason(payload.delta?.stop_reason).value
        if (finish !== null) out += chunk('{}', finish)
        return
      }
      case 'message_stop':
        out += `${usageChunk()}data: [DONE]\n\n`
        state = 'done'
        return
      default:
      // New event types may appear at any time and are to be skipped, as Anthropic asks.
      // https://docs.anthropic.com/en/docs/build-with-claude/streaming#other-events
    }
  }

  const onBlockStart = (index: number, block: { type?: string; text?: string; id?: string; name?: string } | undefined) => {
    if (block?.type === 'text') {
      if (block.text) out += chunk(`{"content":${JSON.stringify(block.text)}}`)
    } else if (block?.type === 'tool_use') {
      const toolIndex = toolCallIndex.size
      toolCallIndex.set(index, toolIndex)
      const call = `{"index":${toolIndex},"id":${JSON.stringify(String(block.id))},"type":"function","function":{"name":${JSON.stringify(String(block.name))},"arguments":""}}`
      out += chunk(`{"tool_calls":[${call}]}`)
    }
    // thinking, redacted_thinking and server tool blocks have no place in a chat completion.
  }

  const onBlockDelta = (index: number, delta: { type?: string; text?: string; partial_json?: string } | undefined) => {
    if (delta?.type === 'text_delta') {
      if (delta.text) out += chunk(`{"content":${JSON.stringify(delta.text)}}`)
    } else if (delta?.type === 'input_json_delta') {
      const toolIndex = toolCallIndex.get(index)
      if (toolIndex !== undefined && delta.partial_json) {
        toolCallsWithArguments.add(toolIndex)
        out += chunk(`{"tool_calls":[{"index":${toolIndex},"function":{"arguments":${JSON.stringify(delta.partial_json)}}}]}`)
      }
    }
  }

  const parser = createSseParser(onEvent)

  const send = (controller: TransformStreamDefaultController<Uint8Array>) => {
    if (out !== '') {
      controller.enqueue(encoder.encode(out))
      out = ''
    }
    // The client's side closes once it has read the error event; the upstream is cancelled.
    if (state === 'failed') controller.terminate()
  }

  return new TransformStream<Uint8Array, Uint8Array>({
    transform(bytes, controller) {
      if (state !== 'open') return
      parser.push(bytes)
      send(controller)
    },
    flush(controller) {
      if (state !== 'open') return
      parser.end()
      protocolError(head === undefined ? 'the stream ended before message_start' : 'the stream ended before message_stop')
      controller.enqueue(encoder.encode(out))
    },
  })
}
