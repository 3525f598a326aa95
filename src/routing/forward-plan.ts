import { ProviderRequestError, type ClientRequest, type Provider, type ProviderTarget } from '../providers/types'
import type { RoutingMetadata } from '../telemetry/request-record'
import { forward, UpstreamFailure, type Forwarded } from './forward'
import type { RouteTarget } from './gateway-config'
import { isRetryableStatus, retryDelayMs, sleepUnlessAborted } from './retry'
import type { RoutePlan } from './route-plan'
import type { Routing } from './routing'
import { asRequestError, upstreamRequest } from './upstream-request'

export interface PlanContext {
  routing: Routing
  providers: ReadonlyMap<string, Provider>
  /** Where a provider lives (base URL, API version, AWS settings). */
  targetOf(provider: string): ProviderTarget
  clientSignal: AbortSignal
  firstByteTimeoutMs: number
  fetch?: typeof fetch
  /** Called as each attempt is sent, for the record's timing. */
  onSend(): void
}

export interface PlannedResponse {
  forwarded: Forwarded
  provider: Provider
  /** The request as the serving target received it (its model), for a translating provider. */
  request: ClientRequest
  /** What the serving target's translation left out of the request. */
  warnings: string[]
}

/** Filled in by forwardPlan as it goes, so the record knows the attempts even when all fail. */
export function newRoutingMetadata(alias: string): RoutingMetadata {
  return { alias, target_provider: null, target_model: null, attempts: 0, failures: [] }
}

const encoder = new TextEncoder()

/**
 * Tries the plan's targets in order, each up to `1 + retries` times, until one answers
 * with a status worth returning. Everything happens before the first byte reaches the
 * client; `meta` records each attempt as it goes. A failed attempt's body is cancelled so its connection is released. The last
 * attempt's answer goes to the client whatever its status; if it could not connect, its
 * UpstreamFailure is thrown.
 */
export async function forwardPlan(plan: RoutePlan, request: ClientRequest, meta: RoutingMetadata, context: PlanContext): Promise<PlannedResponse> {
  const { alias, targets } = plan
  for (let t = 0; t < targets.length; t++) {
    const target = targets[t]!
    const provider = context.providers.get(target.provider)!
    const targetRequest = forTarget(request, target, context.routing)
    for (let retry = 0; retry <= alias.retries; retry++) {
      const lastTry = retry === alias.retries
      const lastAttempt = lastTry && t === targets.length - 1
      meta.attempts++
      let retryAfter: string | null = null
      try {
        const upstream = await upstreamRequest(provider, targetRequest, context.targetOf(provider.id))
        context.onSend()
        const forwarded = await forward(upstream, {
          clientSignal: context.clientSignal,
          firstByteTimeoutMs: target.firstByteTimeoutMs ?? context.firstByteTimeoutMs,
          fetch: context.fetch,
        })
        if (lastAttempt || !isRetryableStatus(forwarded.status)) {
          meta.target_provider = target.provider
          meta.target_model = target.model
          return { forwarded, provider, request: targetRequest, warnings: upstream.warnings ?? [] }
        }
        meta.failures.push({ provider: target.provider, model: target.model, status: forwarded.status, error: null })
        retryAfter = forwarded.headers.get('retry-after')
        forwarded.body?.cancel().catch(() => {})
      } catch (error) {
        if (error instanceof UpstreamFailure && error.kind === 'client_abort') throw error
        if (error instanceof ProviderRequestError) {
          // This target cannot serve the request at all (not configured, no credentials, a
          // request its API cannot express): retrying it cannot help, the next target may.
          meta.failures.push({ provider: target.provider, model: target.model, status: null, error: error.code })
          if (t === targets.length - 1) throw error
          break
        }
        if (lastAttempt) throw error
        meta.failures.push({ provider: target.provider, model: target.model, status: null, error: error instanceof UpstreamFailure ? error.kind : String(error) })
      }
      if (lastTry) break
      const delay = retryDelayMs(retry, retryAfter, alias.backoffMs, alias.maxBackoffMs, context.routing.random)
      if (!(await sleepUnlessAborted(delay, context.clientSignal))) throw new UpstreamFailure('client_abort', 'client closed the connection')
    }
  }
  throw new Error('unreachable: a route plan always has a target')
}

/** The request with the target's model (one JSON.stringify) and the credentials the gateway sends to that provider. */
function forTarget(request: ClientRequest, target: RouteTarget, routing: Routing): ClientRequest {
  const json = { ...request.json, model: target.model }
  let body: Uint8Array
  try {
    body = encoder.encode(JSON.stringify(json))
  } catch (error) {
    throw asRequestError(error)
  }
  return { ...request, headers: routing.upstreamHeaders(request.headers, target.provider), json, body }
}
