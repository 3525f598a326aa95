import type { OpenAIErrorBody } from '../openai-chat-api'

/**
 * Bedrock's error names with the OpenAI error type a client expects for each.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html#API_runtime_Converse_Errors
 * Names arrive as `ValidationException` (HTTP, `x-amzn-errortype`) or `validationException`
 * (`:exception-type` of a stream frame): they are looked up case-insensitively.
 */
const TYPES: Record<string, string> = {
  validationexception: 'invalid_request_error',
  accessdeniedexception: 'permission_error',
  unrecognizedclientexception: 'authentication_error',
  invalidsignatureexception: 'authentication_error',
  signaturedoesnotmatch: 'authentication_error',
  expiredtokenexception: 'authentication_error',
  resourcenotfoundexception: 'not_found_error',
  throttlingexception: 'rate_limit_error',
  servicequotaexceededexception: 'rate_limit_error',
  modeltimeoutexception: 'timeout_error',
}

function typeForStatus(status: number): string {
  if (status === 400) return 'invalid_request_error'
  if (status === 401) return 'authentication_error'
  if (status === 403) return 'permission_error'
  if (status === 404) return 'not_found_error'
  if (status === 429) return 'rate_limit_error'
  return 'server_error'
}

/**
 * A Bedrock error as OpenAI's error body. `errorType` may carry a namespace after a colon
 * (`ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/`): it is cut off.
 */
export function convertBedrockError(errorType: string | null | undefined, message: string | undefined, status: number): OpenAIErrorBody {
  const name = errorType ? errorType.split(':', 1)[0]!.trim() : ''
  const type = TYPES[name.toLowerCase()] ?? typeForStatus(status)
  return {
    error: {
      message: message || (name ? `Bedrock answered ${name}` : `Bedrock answered with status ${status}`),
      type,
      param: null,
      code: name || `http_${status}`,
    },
  }
}

/** The `message` of a Bedrock error body (`{"message": "..."}`, or `Message` in some services). */
export function bedrockErrorMessage(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; Message?: unknown }
    const message = parsed.message ?? parsed.Message
    if (typeof message === 'string') return message
  } catch {
    // Not JSON: a load balancer's page, for example. A short excerpt is still the best message.
  }
  const text = body.trim()
  return text === '' ? undefined : text.length > 500 ? `${text.slice(0, 500)}…` : text
}
