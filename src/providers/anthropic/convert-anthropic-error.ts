import type { OpenAIErrorBody } from '../openai-chat-api'

/**
 * An Anthropic error (an error answer's body, or the `error` event of a stream) in OpenAI's
 * error shape. Anthropic's error types (invalid_request_error, authentication_error,
 * rate_limit_error, overloaded_error, ...) are kept as both `type` and `code`, so a client
 * can still tell an overload from a bad request.
 * A body that is not Anthropic's error JSON (a proxy's HTML page) is quoted, shortened.
 * @see https://docs.anthropic.com/en/api/errors
 */
export function convertAnthropicError(body: unknown, status: number | undefined, rawText?: string): OpenAIErrorBody {
  const error = (body as { error?: { type?: unknown; message?: unknown } } | null)?.error
  if (typeof error?.type === 'string' && typeof error.message === 'string') {
    return { error: { message: error.message, type: error.type, param: null, code: error.type } }
  }
  const excerpt = rawText === undefined || rawText === '' ? '' : `: ${rawText.length > 200 ? `${rawText.slice(0, 200)}…` : rawText}`
  const from = status === undefined ? 'Anthropic sent an unreadable error' : `Anthropic answered ${status}`
  return { error: { message: `${from}${excerpt}`, type: 'upstream_error', param: null, code: 'upstream_error' } }
}
