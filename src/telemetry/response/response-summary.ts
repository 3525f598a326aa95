import type { SseEvent } from '../../streaming/sse-parser'
import type { TokenCounts } from '../request-record'

/** What telemetry learns from a response body. */
export interface ResponseSummary {
  model: string | null
  tokens: TokenCounts | null
  /** Unified finish reason (OpenAI's vocabulary) and the provider's own. */
  finishReason: string | null
  finishReasonRaw: string | null
  /** The response payload; for streams the message a non-streamed answer would carry. */
  payload: unknown
  /** An error the provider reported inside the body (an error event, an error object in a 200). */
  error: { type: string; message: string } | null
}

/** Builds a summary from a stream's events, one at a time. */
export interface StreamAssembler {
  event(event: SseEvent): void
  /** True once an event carried content (text, tool call, reasoning): marks time to first token. */
  readonly sawContent: boolean
  /**
   * True once the stream's closing event arrived (`[DONE]`, a finish reason, `message_stop`,
   * an error event). A stream that ends without it was cut short, even on an event boundary.
   */
  readonly closed: boolean
  /**
   * True once the stream's last event arrived (`[DONE]`, `message_stop`, an error event, the
   * Responses API's terminal event): nothing more is to come. A finish reason is not that: other
   * choices, and the usage chunk, may still follow it.
   */
  readonly ended: boolean
  summary(): ResponseSummary
}

export const EMPTY_SUMMARY: ResponseSummary = { model: null, tokens: null, finishReason: null, finishReasonRaw: null, payload: null, error: null }

export function parseJson(text: string): any {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

export function errorOf(value: any): ResponseSummary['error'] {
  // Gemini's OpenAI-compatible API wraps its error in an array: [{"error": {...}}].
  const error = (Array.isArray(value) ? value[0] : value)?.error
  if (error === undefined || error === null) return null
  if (typeof error === 'string') return { type: 'error', message: error }
  // Gemini's carries no type; its `status` word (INVALID_ARGUMENT) says more than its numeric code.
  // Azure's content filter sends `status: 400` beside `code: content_filter`: a number is no type.
  const status = typeof error.status === 'string' ? error.status : undefined
  return { type: String(error.type ?? status ?? error.code ?? 'error'), message: String(error.message ?? '') }
}

/**
 * A Responses API answer's status in Chat Completions' finish_reason vocabulary, so that a
 * streamed and a whole answer agree: an answer that calls a function ends in `tool_calls`,
 * one cut by `max_output_tokens` in `length`; failed or unfinished answers have none.
 * @see https://platform.openai.com/docs/api-reference/responses/object
 */
export function mapResponsesFinishReason(response: any): string | null {
  const calledFunction = Array.isArray(response?.output) && response.output.some((item: any) => item?.type === 'function_call')
  switch (response?.status) {
    case 'completed':
      return calledFunction ? 'tool_calls' : 'stop'
    case 'incomplete': {
      const reason = response.incomplete_details?.reason
      return reason === 'max_output_tokens' ? 'length' : reason === 'content_filter' ? 'content_filter' : 'other'
    }
    default:
      return null
  }
}
