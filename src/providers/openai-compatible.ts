import { forwardedRequestHeaders } from '../http/headers'
import type { ClientRequest, Provider, ProviderTarget, UpstreamRequest } from './types'

export interface OpenAICompatibleOptions {
  id: string
  /** Maps the client's `/v1/...` path to the provider's; default: unchanged. */
  mapPath?: (path: string) => string
}

/**
 * Providers that speak OpenAI's API: the request goes through as received, with the
 * client's own key, to the configured base URL followed by the client's path and query.
 */
export function openAICompatible({ id, mapPath = (path) => path }: OpenAICompatibleOptions): Provider {
  return {
    id,
    toUpstream(request: ClientRequest, target: ProviderTarget): UpstreamRequest {
      return {
        url: target.baseUrl + mapPath(request.path) + request.search,
        method: request.method,
        headers: forwardedRequestHeaders(request.headers),
        body: request.body,
      }
    },
  }
}
