import { ProviderRequestError, type ClientRequest, type Provider, type ProviderTarget, type UpstreamRequest } from '../providers/types'

/**
 * The provider's upstream request for a client's. JSON nested deeper than `JSON.stringify`'s
 * stack reaches (some 20,000 levels, a body of ~100 KB that `JSON.parse` takes) makes the
 * translation throw a RangeError: that is the client's request, and a 400, not a 500.
 */
export async function upstreamRequest(provider: Provider, request: ClientRequest, target: ProviderTarget): Promise<UpstreamRequest> {
  try {
    return await provider.toUpstream(request, target)
  } catch (error) {
    throw asRequestError(error)
  }
}

export function asRequestError(error: unknown): unknown {
  if (!(error instanceof RangeError)) return error
  return new ProviderRequestError(400, 'request_too_deep', 'The request body is nested too deeply to be forwarded')
}
