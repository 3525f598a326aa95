import type { WireFormat } from '../../http/wire-format'
import { convertAnthropicUsage } from '../usage/convert-anthropic-usage'
import { convertOpenAIUsage } from '../usage/convert-openai-usage'
import { mapAnthropicStopReason } from './map-anthropic-stop-reason'
import { EMPTY_SUMMARY, errorOf, mapResponsesFinishReason, type ResponseSummary } from './response-summary'

/** A field the document maps as a keyword: anything but a string (an upstream's odd object) would get the whole document refused. */
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null)

/** Summarises a whole (non-streamed) JSON answer in the client's wire format. */
export function summarizeJsonResponse(body: any, format: WireFormat): ResponseSummary {
  if (body === null || typeof body !== 'object') return { ...EMPTY_SUMMARY, payload: body ?? null }
  const error = errorOf(body)
  if (format === 'anthropic') {
    return {
      model: text(body.model),
      tokens: convertAnthropicUsage(body.usage),
      finishReason: mapAnthropicStopReason(body.stop_reason),
      finishReasonRaw: text(body.stop_reason),
      payload: body,
      error: body.type === 'error' ? error : null,
    }
  }
  const chat = Array.isArray(body.choices)
  return {
    model: text(body.model),
    tokens: convertOpenAIUsage(body.usage ?? body.x_groq?.usage),
    finishReason: chat ? text(body.choices[0]?.finish_reason) : mapResponsesFinishReason(body),
    finishReasonRaw: chat ? text(body.choices[0]?.finish_reason) : text(body.status),
    payload: body,
    error,
  }
}
