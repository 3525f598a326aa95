import { createEventStreamDecoder, type EventStreamMessage } from '../../streaming/event-stream-decoder'
import { openAIErrorEvent } from '../../streaming/failure-frames'
import type { OpenAIErrorBody, OpenAIUsage } from '../openai-chat-api'
import type { StreamEvents } from './bedrock-api'
import { bedrockErrorMessage, convertBedrockError } from './convert-bedrock-error'
import { convertBedrockUsage } from './convert-bedrock-usage'
import type { CompletionIdentity } from './convert-converse-response'
import { mapBedrockStopReason } from './map-bedrock-stop-reason'

const utf8 = new TextDecoder()

/**
 * ConverseStream's binary event stream in, OpenAI `chat.completion.chunk` SSE out, one event at a
 * time. https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html
 *
 * The stream always ends like an OpenAI stream with `include_usage`: a chunk with empty `choices`
 * and the `usage` of the metadata event (null if Bedrock sent none), then `data: [DONE]`.
 * Telemetry reads usage from that chunk. An exception frame, a corrupt frame or a cut final frame
 * becomes an OpenAI error event, and the stream ends right after it, never with `[DONE]`; the
 * upstream is cancelled at once.
 *
 * Cost: ~3.5 µs CPU per frame on Bun 1.4.5, ~3 µs more than an identity TransformStream
 * (`bun scripts/bench/bedrock-translate-cpu.ts`).
 */
export function createConverseStreamToOpenAIStream(identity: CompletionIdentity): TransformStream<Uint8Array, Uint8Array> {
  const encoder = new TextEncoder()
  const head = `data: {"id":${JSON.stringify(identity.id)},"object":"chat.completion.chunk","created":${identity.created},"model":${JSON.stringify(identity.model)},`
  let controller!: TransformStreamDefaultController<Uint8Array>
  let usage: OpenAIUsage | null = null
  let failed = false
  // OpenAI numbers tool calls 0, 1, ...; Converse numbers all content blocks.
  const toolIndexByBlock = new Map<number, number>()
  /** Tool calls whose arguments have begun: one without any gets `{}` at its block's end, as OpenAI sends. */
  const toolCallsWithArguments = new Set<number>()

  const emit = (text: string) => controller.enqueue(encoder.encode(text))
  const emitDelta = (delta: string, finishReason: string | null = null) =>
    emit(`${head}"choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finishReason === null ? 'null' : `"${finishReason}"`}}]}\n\n`)

  const fail = (error: OpenAIErrorBody) => {
    failed = true
    emit(openAIErrorEvent(error))
  }

  const onEvent = (type: string | undefined, payload: Record<string, unknown>) => {
    switch (type) {
      case 'messageStart':
        return emitDelta('{"role":"assistant","content":""}')
      case 'contentBlockStart': {
        const { contentBlockIndex = 0, start } = payload as StreamEvents['contentBlockStart']
        if (start?.toolUse === undefined) return
        const index = toolIndexByBlock.size
        toolIndexByBlock.set(contentBlockIndex, index)
        const call = { index, id: start.toolUse.toolUseId ?? '', type: 'function', function: { name: start.toolUse.name ?? '', arguments: '' } }
        return emitDelta(`{"tool_calls":[${JSON.stringify(call)}]}`)
      }
      case 'contentBlockDelta': {
        const { contentBlockIndex = 0, delta } = payload as StreamEvents['contentBlockDelta']
        if (typeof delta?.text === 'string') return emitDelta(`{"content":${JSON.stringify(delta.text)}}`)
        const index = toolIndexByBlock.get(contentBlockIndex)
        if (typeof delta?.toolUse?.input === 'string' && delta.toolUse.input !== '' && index !== undefined) {
          toolCallsWithArguments.add(index)
          return emitDelta(`{"tool_calls":[{"index":${index},"function":{"arguments":${JSON.stringify(delta.toolUse.input)}}}]}`)
        }
        // Reasoning deltas have no place in an OpenAI chat chunk.
        return
      }
      case 'messageStop':
        return emitDelta('{}', mapBedrockStopReason((payload as StreamEvents['messageStop']).stopReason))
      case 'metadata': {
        const reported = (payload as StreamEvents['metadata']).usage
        if (reported !== undefined) usage = convertBedrockUsage(reported)
        return
      }
      case 'contentBlockStop': {
        const index = toolIndexByBlock.get((payload as StreamEvents['contentBlockStop']).contentBlockIndex ?? 0)
        if (index !== undefined && !toolCallsWithArguments.has(index)) emitDelta(`{"tool_calls":[{"index":${index},"function":{"arguments":"{}"}}]}`)
        return
      }
      default:
        // Events added to the API later: nothing to say to an OpenAI client.
        return
    }
  }

  const onMessage = (message: EventStreamMessage) => {
    if (failed) return
    const messageType = headerValue(message, ':message-type')
    if (messageType === 'event') {
      let payload: unknown
      try {
        payload = JSON.parse(utf8.decode(message.body))
      } catch {
        return fail(gatewayError('bedrock_stream_invalid', 'Bedrock sent an event whose payload is not JSON'))
      }
      return onEvent(headerValue(message, ':event-type'), typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {})
    }
    if (messageType === 'exception') {
      // https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStreamOutput.html
      return fail(convertBedrockError(headerValue(message, ':exception-type'), bedrockErrorMessage(utf8.decode(message.body)), 500))
    }
    if (messageType === 'error') return fail(convertBedrockError(headerValue(message, ':error-code'), headerValue(message, ':error-message'), 500))
  }
  const decoder = createEventStreamDecoder(onMessage)

  return new TransformStream<Uint8Array, Uint8Array>({
    start(c) {
      controller = c
    },
    transform(chunk) {
      if (failed) return
      try {
        decoder.push(chunk)
      } catch (error) {
        fail(gatewayError('bedrock_stream_corrupt', `Bedrock's event stream is corrupt: ${error instanceof Error ? error.message : String(error)}`))
      }
      // The client's side closes once it has read the error event; the upstream is cancelled.
      if (failed) controller.terminate()
    },
    flush() {
      if (failed) return
      if (!decoder.end()) return fail(gatewayError('bedrock_stream_truncated', "Bedrock's event stream ended inside a message"))
      emit(`${head}"choices":[],"usage":${JSON.stringify(usage)}}\n\ndata: [DONE]\n\n`)
    },
  })
}

function headerValue(message: EventStreamMessage, name: string): string | undefined {
  const header = message.headers[name]
  return header !== undefined && header.type === 'string' ? header.value : undefined
}

function gatewayError(code: string, message: string): OpenAIErrorBody {
  return { error: { message, type: 'upstream_error', param: null, code } }
}
