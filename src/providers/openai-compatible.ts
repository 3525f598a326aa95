import { BEARER_CREDENTIALS, forwardedRequestHeaders } from '../http/headers'
import type { ClientRequest, Provider, ProviderTarget, UpstreamRequest } from './types'

export interface OpenAICompatibleOptions {
  id: string
  /** Maps the client's `/v1/...` path to the provider's; default: unchanged. */
  mapPath?: (path: string) => string
  /**
   * Whether the provider accepts `stream_options.include_usage`. Those that do are asked for
   * it on every streamed chat completion, so telemetry always has the stream's token counts;
   * those that reject unknown fields report usage in their last chunk on their own.
   */
  acceptsStreamOptions?: boolean
}

/**
 * Providers that speak OpenAI's API: the request goes through as received, with the
 * client's own key, to the configured base URL followed by the client's path and query.
 */
export function openAICompatible({ id, mapPath = (path) => path, acceptsStreamOptions = true }: OpenAICompatibleOptions): Provider {
  return {
    id,
    toUpstream(request: ClientRequest, target: ProviderTarget): UpstreamRequest {
      return {
        url: target.baseUrl + mapPath(request.path) + request.search,
        method: request.method,
        headers: forwardedRequestHeaders(request.headers, BEARER_CREDENTIALS),
        body: acceptsStreamOptions ? withStreamUsage(request) : request.body,
      }
    },
  }
}

/**
 * A streamed chat completion whose client did not say whether it wants usage gets
 * `stream_options.include_usage: true`: the client then also receives OpenAI's final chunk
 * with empty `choices` and the `usage` object. A client that said `include_usage: false` is
 * obeyed (its record's token counts and cost stay null), and any other body goes through
 * byte for byte.
 */
export function withStreamUsage({ path, json, body }: ClientRequest): UpstreamRequest['body'] {
  if (json === undefined || json.stream !== true || !path.endsWith('/chat/completions')) return body
  const options = json.stream_options
  const said = options !== null && typeof options === 'object' ? (options as Record<string, unknown>).include_usage : undefined
  if (said === true || said === false) return body
  return JSON.stringify({ ...json, stream_options: { ...(options as object | undefined), include_usage: true } })
}
