import type { WireFormat } from '../http/wire-format'

/** Error categories the gateway itself answers with; each maps to both client shapes. */
const ERROR_TYPES = {
  invalid_request: { openai: 'invalid_request_error', anthropic: 'invalid_request_error' },
  not_found: { openai: 'invalid_request_error', anthropic: 'not_found_error' },
  too_large: { openai: 'invalid_request_error', anthropic: 'request_too_large' },
  unauthorized: { openai: 'invalid_request_error', anthropic: 'authentication_error' },
  rate_limited: { openai: 'requests', anthropic: 'rate_limit_error' },
  upstream_unreachable: { openai: 'upstream_error', anthropic: 'api_error' },
  upstream_timeout: { openai: 'timeout_error', anthropic: 'api_error' },
  internal: { openai: 'server_error', anthropic: 'api_error' },
} as const

export type GatewayErrorKind = keyof typeof ERROR_TYPES

/** An error the gateway answers itself, in the shape of the API the client speaks. */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly kind: GatewayErrorKind,
    /** Stable machine-readable code, e.g. `unknown_provider`. */
    readonly code: string,
    message: string,
    /** Extra response headers, e.g. `retry-after` on 429. */
    readonly headers?: Record<string, string>,
  ) {
    super(message)
    this.name = 'GatewayError'
  }
}

/** The JSON body of an error the gateway answers itself, in the shape of the API the client speaks. */
export function errorBody(error: GatewayError, format: WireFormat): string {
  const type = ERROR_TYPES[error.kind][format]
  const body =
    format === 'anthropic'
      ? { type: 'error', error: { type, message: error.message } }
      : { error: { message: error.message, type, param: null, code: error.code } }
  return JSON.stringify(body)
}

export function errorResponse(error: GatewayError, format: WireFormat, requestId: string, body = errorBody(error, format)): Response {
  return new Response(body, { status: error.status, headers: { ...error.headers, 'content-type': 'application/json;charset=utf-8', 'x-request-id': requestId } })
}
