import type { Server } from 'bun'
import type { GatewayConfig } from '../config/load-config'
import { clientResponseHeaders } from '../http/headers'
import type { Logger } from '../logger'
import type { ClientRequest, Provider } from '../providers/types'
import { forward, UpstreamFailure } from '../routing/forward'
import { parseJsonBody, readBody, validateApiPath, wireFormatFor } from './client-request'
import { errorResponse, GatewayError } from './errors'
import { resolveProvider } from './resolve-provider'

export interface ProxyDependencies {
  config: GatewayConfig
  logger: Logger
  providers: ReadonlyMap<string, Provider>
  defaultProvider: string
  fetch?: typeof fetch
}

export type ProxyHandler = (request: Request, server: Server<unknown> | null) => Promise<Response>

/** `ANY /v1/*`: validate, pick the provider, forward, and stream the answer back untouched. */
export function createProxyHandler(deps: ProxyDependencies): ProxyHandler {
  const { config, logger } = deps

  return async function proxyRequest(request, server) {
    const requestId = Bun.randomUUIDv7()
    const url = new URL(request.url)
    const format = wireFormatFor(url.pathname)
    try {
      const provider = resolveProvider(request.headers.get('x-provider'), deps.providers, deps.defaultProvider)
      const path = validateApiPath(url.pathname)
      const body = await readBody(request, config.maxRequestBodyBytes)
      const json = parseJsonBody(body, request.headers.get('content-type'))
      const clientRequest: ClientRequest = { method: request.method, path, search: url.search, headers: request.headers, body, json }
      const upstream = await provider.toUpstream(clientRequest, { baseUrl: config.baseUrls[provider.id]! })

      // Our own first-byte and idle timeouts govern from here; Bun's would cut quiet streams.
      server?.timeout(request, 0)
      const forwarded = await forward(upstream, {
        clientSignal: request.signal,
        firstByteTimeoutMs: config.firstByteTimeoutMs,
        idleTimeoutMs: config.idleTimeoutMs,
        fetch: deps.fetch,
      })
      const response = new Response(forwarded.body, {
        status: forwarded.status,
        headers: clientResponseHeaders(forwarded.headers, requestId),
      })
      return provider.fromUpstream ? provider.fromUpstream(response, clientRequest) : response
    } catch (error) {
      return errorResponse(toGatewayError(error, logger, requestId), format, requestId)
    }
  }
}

function toGatewayError(error: unknown, logger: Logger, requestId: string): GatewayError {
  if (error instanceof GatewayError) return error
  if (error instanceof UpstreamFailure) {
    switch (error.kind) {
      case 'connect':
        return new GatewayError(502, 'upstream_unreachable', 'upstream_unreachable', error.message)
      case 'first_byte_timeout':
        return new GatewayError(504, 'upstream_timeout', 'upstream_timeout', error.message)
      case 'client_abort':
        // Nobody will read this answer; 499 is the customary status for it in access logs.
        return new GatewayError(499, 'invalid_request', 'client_closed_request', error.message)
    }
  }
  logger.error('unexpected error while proxying', { request_id: requestId, error: error instanceof Error ? error.message : String(error) })
  return new GatewayError(500, 'internal', 'internal_error', 'The gateway failed to handle this request')
}
