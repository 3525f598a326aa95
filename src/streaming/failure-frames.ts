import type { WireFormat } from '../providers/types'

const encoder = new TextEncoder()

/**
 * The error event that ends a stream whose upstream failed, in the format the client reads.
 * It starts with a blank line so that a partial event already sent is terminated first.
 * OpenAI's SDK throws on a `data: {"error": ...}` event; Anthropic's on `event: error`.
 */
export function sseFailureFrame(format: WireFormat, message: string): Uint8Array {
  if (format === 'anthropic') {
    return encoder.encode(`\n\nevent: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'api_error', message } })}\n\n`)
  }
  return encoder.encode(`\n\ndata: ${JSON.stringify({ error: { message, type: 'upstream_error', param: null, code: 'upstream_stream_error' } })}\n\n`)
}
