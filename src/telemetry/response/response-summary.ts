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
  const error = value?.error
  if (error === undefined || error === null) return null
  if (typeof error === 'string') return { type: 'error', message: error }
  return { type: String(error.type ?? error.code ?? 'error'), message: String(error.message ?? '') }
}
