import type { WireFormat } from '../http/wire-format'

const encoder = new TextEncoder()

/**
 * An OpenAI stream's error event, `data: {"error":{...}}`: the one place that writes it. OpenAI's
 * SDKs throw an APIError with its message when they read it. A stream that sends it ends right
 * after, cleanly and without `[DONE]`: erroring the response body instead makes Bun reset the
 * connection and drop what is still queued, this event included.
 * @see https://platform.openai.com/docs/api-reference/chat-streaming
 */
export function openAIErrorEvent(body: { error: object }): string {
  return `data: ${JSON.stringify(body)}\n\n`
}

/**
 * The error event that ends a stream whose upstream failed, in the format the client reads.
 * It starts with a blank line so that a partial event already sent is terminated first.
 * OpenAI's SDK throws on a `data: {"error": ...}` event; Anthropic's on `event: error`.
 */
export function sseFailureFrame(format: WireFormat, message: string): Uint8Array {
  if (format === 'anthropic') {
    return encoder.encode(`\n\nevent: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'api_error', message } })}\n\n`)
  }
  return encoder.encode(`\n\n${openAIErrorEvent({ error: { message, type: 'upstream_error', param: null, code: 'upstream_stream_error' } })}`)
}
