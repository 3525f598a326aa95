import type { WireFormat } from '../../http/wire-format'
import { convertAnthropicUsage } from '../usage/convert-anthropic-usage'
import { convertOpenAIUsage } from '../usage/convert-openai-usage'
import { mapAnthropicStopReason } from './map-anthropic-stop-reason'
import { EMPTY_SUMMARY, errorOf, mapResponsesFinishReason, type ResponseSummary } from './response-summary'

/** Summarises a whole (non-streamed) JSON answer in the client's wire format. */
export function summarizeJsonResponse(body: any, format: WireFormat): ResponseSummary {
  if (body === null || typeof body !== 'object') return { ...EMPTY_SUMMARY, payload: body ?? null }
  const error = errorOf(body)
  if (format === 'anthropic') {
    return {
      model: body.model ?? null,
      tokens: convertAnthropicUsage(body.usage),
      finishReason: mapAnthropicStopReason(body.stop_reason),
      finishReasonRaw: body.stop_reason ?? null,
      payload: body,
      error: body.type === 'error' ? error : null,
    }
  }
  const chat = Array.isArray(body.choices)
  return {
    model: body.model ?? null,
    tokens: convertOpenAIUsage(body.usage ?? body.x_groq?.usage),
    finishReason: chat ? (body.choices[0]?.finish_reason ?? null) : mapResponsesFinishReason(body),
    finishReasonRaw: chat ? (body.choices[0]?.finish_reason ?? null) : (body.status ?? null),
    payload: body,
    error,
  }
}
