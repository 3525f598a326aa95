import type { Server } from 'bun'
import type { GatewayConfig } from '../config/load-config'
import { clientResponseHeaders } from '../http/headers'
import type { Logger } from '../logger'
import { ProviderRequestError, type ClientRequest, type Provider } from '../providers/types'
import { forward, UpstreamFailure, type Forwarded } from '../routing/forward'
import { forwardPlan, newRoutingMetadata } from '../routing/forward-plan'
import { isSmallWholeBody, readWholeBody } from '../routing/read-whole-body'
import { BYTES_PER_TOKEN } from '../routing/rate-limiter'
import { RoutingRefusal, type Routing } from '../routing/routing'
import { upstreamRequest } from '../routing/upstream-request'
import { tapBody, type BodyObserver } from '../streaming/body-tap'
import { sseFailureFrame } from '../streaming/failure-frames'
import type { RequestTelemetry } from '../telemetry/request-telemetry'
import type { Telemetry } from '../telemetry/telemetry'
import { parseJsonBody, pathAndQuery, readBody, validateApiPath, wireFormatFor } from './client-request'
import { errorBody, errorResponse, GatewayError } from './errors'
import { resolveProvider } from './resolve-provider'
import { validateChatRequest } from './validate-chat-request'

export interface ProxyDependencies {
  config: GatewayConfig
  logger: Logger
  providers: ReadonlyMap<string, Provider>
  defaultProvider: string
  telemetry: Telemetry
  routing: Routing
  fetch?: typeof fetch
}

/**
 * The methods AI APIs use. Others (TRACE, CONNECT, WebDAV's PROPFIND, ...) would reach the
 * upstream with the gateway's credentials attached, for nothing an API answers.
 */
const PROXIED_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])

/** An upstream body read for a translation: telemetry watches what the client gets instead. */
const UNOBSERVED: BodyObserver = { end() {} }

export type ProxyHandler = (request: Request, server: Server<unknown> | null) => Promise<Response>

/** `ANY /v1/*`: validate, pick the provider, forward, and stream the answer back untouched. */
export function createProxyHandler(deps: ProxyDependencies): ProxyHandler {
  const { config, logger, routing } = deps
  const targetOf = (id: string) => ({ baseUrl: routing.baseUrl(id) ?? config.baseUrls[id]!, apiVersion: config.apiVersions[id], aws: config.aws })

  return async function proxyRequest(request, server) {
    const requestId = Bun.randomUUIDv7()
    const url = pathAndQuery(request.url)
    const format = wireFormatFor(url.pathname)
    const record = deps.telemetry.begin(requestId, request.method, url.pathname, request.headers)
    let forwarded: Forwarded | undefined
    try {
      if (!PROXIED_METHODS.has(request.method)) throw new GatewayError(405, 'invalid_request', 'method_not_allowed', `Method ${request.method.slice(0, 20)} is not allowed`, { allow: [...PROXIED_METHODS].join(', ') })
      const gatewayKey = routing.admit(request.headers)
      let provider = resolveProvider(request.headers.get('x-provider'), deps.providers, deps.defaultProvider)
      record.provider = provider.id
      const path = validateApiPath(url.pathname)
      const body = await readBody(request, config.maxRequestBodyBytes)
      const json = parseJsonBody(body, request.headers.get('content-type'))
      noteRequest(record, body, json)
      if (gatewayKey?.tpm !== undefined) {
        // A JSON prompt's tokens, roughly, held while the request runs; its counted usage replaces
        // them. Other bodies (an audio upload) say nothing of tokens, and a request the upstream
        // never answered, or refused, used none.
        const estimate = json === undefined ? 0 : Math.ceil((body?.byteLength ?? 0) / BYTES_PER_TOKEN)
        routing.reserveTokens(gatewayKey, estimate)
        const answered = () => record.providerStatus !== null && record.providerStatus < 400
        record.onFinish = (done) => routing.settleTokens(gatewayKey, estimate, answered() ? done.tokens.total : (done.tokens.total ?? 0))
      }
      validateChatRequest(request.method, path, json)
      let clientRequest: ClientRequest = { method: request.method, path, search: url.search, headers: request.headers, body, json }
      // Our own first-byte and idle timeouts govern from here; Bun's would cut quiet streams.
      server?.timeout(request, 0)
      const plan = json === undefined ? null : routing.plan(json.model)
      if (plan === null) {
        clientRequest.headers = routing.upstreamHeaders(request.headers, provider.id)
        const upstream = await upstreamRequest(provider, clientRequest, targetOf(provider.id))
        record.warnings = upstream.warnings ?? []
        record.upstreamSent()
        forwarded = await forward(upstream, { clientSignal: request.signal, firstByteTimeoutMs: config.firstByteTimeoutMs, fetch: deps.fetch })
      } else {
        // A model alias: its targets, retries and fallbacks decide the provider, not x-provider.
        record.routing = newRoutingMetadata(plan.alias.name)
        const served = await forwardPlan(plan, clientRequest, record.routing, {
          routing,
          providers: deps.providers,
          targetOf,
          clientSignal: request.signal,
          firstByteTimeoutMs: config.firstByteTimeoutMs,
          fetch: deps.fetch,
          onSend: () => record.upstreamSent(),
        })
        ;({ forwarded, provider, request: clientRequest } = served)
        record.provider = provider.id
        record.warnings = served.warnings
      }
      record.upstreamAnswered(forwarded.status, forwarded.providerLatencyMs)
      const headers = clientResponseHeaders(forwarded.headers, requestId)

      let response: Response
      if (provider.fromUpstream === undefined || provider.translates?.(clientRequest) === false) {
        const eventStream = isEventStream(headers)
        const observer = record.observeBody(format, eventStream)
        const body = isSmallWholeBody(forwarded, eventStream)
          ? await readWholeBody(forwarded, { idleTimeoutMs: config.idleTimeoutMs, clientSignal: request.signal, observer })
          : watch(forwarded, forwarded.body, observer, eventStream ? (message) => sseFailureFrame(format, message) : undefined)
        response = new Response(body, { status: forwarded.status, headers })
      } else {
        // Idle timing watches the upstream's own bytes (pings count); telemetry reads what the client gets.
        // A JSON answer is read whole first, as on the pass-through path: one that breaks is then a
        // clean 502, not a 200 whose translation dies half-way.
        let upstreamBody: Uint8Array | ReadableStream<Uint8Array> | null
        if (isSmallWholeBody(forwarded, isEventStream(headers))) {
          upstreamBody = await readWholeBody(forwarded, { idleTimeoutMs: config.idleTimeoutMs, clientSignal: request.signal, observer: UNOBSERVED })
          record.upstreamBodyRead()
        } else upstreamBody = watch(forwarded, forwarded.body, undefined, undefined)
        const upstreamResponse = new Response(upstreamBody, { status: forwarded.status, headers })
        const translated = provider.fromUpstream(upstreamResponse, clientRequest)
        const eventStream = isEventStream(translated.headers)
        const observer = record.observeBody(format, eventStream)
        const failureFrame = eventStream ? (message: string) => sseFailureFrame(format, message) : undefined
        response = new Response(observe(translated.body, request.signal, observer, failureFrame), translated)
      }
      record.responded()
      return response
    } catch (error) {
      // Whatever failed after the upstream answered, its connection is not left open.
      forwarded?.abort(new Error('the gateway could not answer'))
      const gatewayError = toGatewayError(error, logger, requestId)
      const body = errorBody(gatewayError, format)
      // A client that left receives nothing, nor does a HEAD request.
      const responseSize = gatewayError.status === 499 || request.method === 'HEAD' ? 0 : Buffer.byteLength(body)
      record.fail({ status: gatewayError.status, type: gatewayError.code, responseSize })
      return errorResponse(gatewayError, format, requestId, body)
    }

    function watch(forwarded: Forwarded, body: ReadableStream<Uint8Array> | null, observer: BodyObserver | undefined, failureFrame: ((message: string) => Uint8Array) | undefined) {
      if (body === null) return void observer?.end({ kind: 'complete' }), null
      return tapBody(body, { idleTimeoutMs: config.idleTimeoutMs, abortUpstream: forwarded.abort, clientSignal: request.signal, observer, failureFrame })
    }
  }
}

/** The translated body as the client gets it; an upstream that breaks mid-stream ends an event stream with an error event. */
function observe(body: ReadableStream<Uint8Array> | null, clientSignal: AbortSignal, observer: BodyObserver, failureFrame: ((message: string) => Uint8Array) | undefined) {
  if (body === null) return void observer.end({ kind: 'complete' }), null
  return tapBody(body, { idleTimeoutMs: 0, abortUpstream: () => {}, clientSignal, observer, failureFrame })
}

function noteRequest(record: RequestTelemetry, body: Uint8Array | null, json: Record<string, unknown> | undefined) {
  record.requestSize = body?.byteLength ?? 0
  if (json === undefined) return
  record.requestJson = json
  record.stream = json.stream === true
  if (typeof json.model === 'string') record.requestModel = json.model
}

function isEventStream(headers: Headers): boolean {
  return headers.get('content-type')?.includes('text/event-stream') ?? false
}

function toGatewayError(error: unknown, logger: Logger, requestId: string): GatewayError {
  if (error instanceof GatewayError) return error
  if (error instanceof RoutingRefusal) {
    const retryAfter = error.retryAfterSeconds === undefined ? undefined : { 'retry-after': String(error.retryAfterSeconds) }
    return new GatewayError(error.status, error.status === 401 ? 'unauthorized' : 'rate_limited', error.code, error.message, retryAfter)
  }
  if (error instanceof ProviderRequestError) {
    const kind = error.status === 404 ? 'not_found' : error.status === 401 ? 'unauthorized' : 'invalid_request'
    return new GatewayError(error.status, kind, error.code, error.message)
  }
  if (error instanceof UpstreamFailure) {
    switch (error.kind) {
      case 'connect':
        return new GatewayError(502, 'upstream_unreachable', 'upstream_unreachable', error.message)
      case 'first_byte_timeout':
        return new GatewayError(504, 'upstream_timeout', 'upstream_timeout', error.message)
      case 'broken_body':
        return new GatewayError(502, 'upstream_unreachable', 'upstream_stream_error', error.message)
      case 'idle_timeout':
        return new GatewayError(504, 'upstream_timeout', 'upstream_idle_timeout', error.message)
      case 'invalid_status':
        return new GatewayError(502, 'upstream_unreachable', 'upstream_invalid_status', error.message)
      case 'client_abort':
        // Nobody will read this answer; 499 is the customary status for it in access logs.
        return new GatewayError(499, 'invalid_request', 'client_abort', error.message)
    }
  }
  logger.error('unexpected error while proxying', { request_id: requestId, error: error instanceof Error ? error.message : String(error) })
  return new GatewayError(500, 'internal', 'internal_error', 'The gateway failed to handle this request')
}
