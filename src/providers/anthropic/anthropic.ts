import { forwardedRequestHeaders } from '../../http/headers'
import { bearerToken } from '../bearer-token'
import { ProviderRequestError, type ClientRequest, type Provider, type ProviderTarget, type UpstreamRequest } from '../types'
import { createJsonBodyTransform, translatedResponse } from '../translated-response'
import { convertAnthropicError } from './convert-anthropic-error'
import { convertAnthropicResponse, isAnthropicResponse } from './convert-anthropic-response'
import { convertToAnthropicRequest } from './convert-to-anthropic-request'
import { createAnthropicToOpenAIStream } from './create-anthropic-to-openai-stream'
import { parseJson } from '../../telemetry/response/response-summary'

/** The one OpenAI route that is translated; every other /v1/* path is Anthropic's own API. */
const CHAT_COMPLETIONS = '/v1/chat/completions'

/** @see https://docs.anthropic.com/en/api/versioning */
export const DEFAULT_ANTHROPIC_VERSION = '2023-06-01'

/** What native routes pass on: API keys in `x-api-key`, OAuth tokens as `Authorization: Bearer`. */
const ANTHROPIC_CREDENTIALS = ['x-api-key', 'authorization']

/**
 * Anthropic. Native requests (`/v1/messages`, `/v1/models`, ...) pass through untouched with
 * the client's own headers. `/v1/chat/completions` in OpenAI's format is translated to
 * `/v1/messages` and its answer (JSON, stream or error) back to OpenAI's format.
 */
export const anthropic: Provider = {
  id: 'anthropic',
  toUpstream(request: ClientRequest, target: ProviderTarget): UpstreamRequest {
    if (request.path !== CHAT_COMPLETIONS) {
      return { url: target.baseUrl + request.path + request.search, method: request.method, headers: forwardedRequestHeaders(request.headers, ANTHROPIC_CREDENTIALS), body: request.body }
    }
    // OpenAI's GET /v1/chat/completions lists stored completions; Anthropic keeps none.
    if (request.method !== 'POST') throw new ProviderRequestError(404, 'unknown_url', `Unknown request URL: ${request.method} ${request.path}`)
    const { value, warnings } = convertToAnthropicRequest(request.json)
    return { url: `${target.baseUrl}/v1/messages`, method: 'POST', headers: translatedRequestHeaders(request.headers), body: JSON.stringify(value), warnings }
  },
  // Native Anthropic routes (/v1/messages, ...) pass through with the one tap of every answer.
  translates: (request: ClientRequest) => request.path === CHAT_COMPLETIONS,
  fromUpstream(response: Response, request: ClientRequest): Response {
    if (request.path !== CHAT_COMPLETIONS || response.body === null) return response
    const created = Math.floor(Date.now() / 1000)
    if (!response.ok) {
      const toOpenAIError = createJsonBodyTransform((text) => JSON.stringify(convertAnthropicError(parseJson(text), response.status, text)))
      return translatedResponse(response.body.pipeThrough(toOpenAIError), response, 'application/json')
    }
    if (response.headers.get('content-type')?.includes('text/event-stream')) {
      return translatedResponse(response.body.pipeThrough(createAnthropicToOpenAIStream({ created })), response, 'text/event-stream; charset=utf-8')
    }
    const toCompletion = createJsonBodyTransform((text) => {
      const message = parseJson(text)
      if (!isAnthropicResponse(message)) throw new Error('Anthropic answered 200 with a body that is not a message')
      return JSON.stringify(convertAnthropicResponse(message, created).value)
    })
    return translatedResponse(response.body.pipeThrough(toCompletion), response, 'application/json')
  },
}

/**
 * Headers for a translated request. OpenAI clients authenticate with `Authorization: Bearer`,
 * Anthropic documents `x-api-key` for API keys; a client's own `x-api-key` wins. `authorization`
 * itself is never sent on, so exactly one credential reaches Anthropic, in that header.
 * @see https://docs.anthropic.com/en/api/overview#authentication
 */
function translatedRequestHeaders(client: Headers): Headers {
  const headers = new Headers({ 'content-type': 'application/json', 'anthropic-version': client.get('anthropic-version') ?? DEFAULT_ANTHROPIC_VERSION })
  const key = client.get('x-api-key') ?? bearerToken(client.get('authorization'))
  if (key !== undefined && key !== null) headers.set('x-api-key', key)
  for (const name of ['anthropic-beta', 'user-agent']) {
    const value = client.get(name)
    if (value !== null) headers.set(name, value)
  }
  return headers
}

