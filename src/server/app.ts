import { Elysia } from 'elysia'
import type { GatewayConfig } from '../config/load-config'
import type { Logger } from '../logger'
import { DEFAULT_PROVIDER, providers } from '../providers'
import { createRouting, type Routing } from '../routing/routing'
import { createTelemetry, type Telemetry } from '../telemetry/telemetry'
import { VERSION } from '../version'
import { errorResponse, GatewayError } from './errors'
import { pathAndQuery, wireFormatFor } from './client-request'
import { createCors } from './cors'
import { metricsResponse, type MetricsText } from './metrics-server'
import { createProxyHandler } from './proxy-handler'

export interface AppOptions {
  config: GatewayConfig
  logger: Logger
  /** Built from the config when not given. */
  telemetry?: Telemetry
  /** Injected in tests to reach loopback mocks through a custom fetch. */
  fetch?: typeof fetch
  /** Built from the config (GATEWAY_CONFIG, GATEWAY_API_KEYS) when not given; throws RoutingConfigError when invalid. */
  routing?: Routing
  /** What `/metrics` serves: the telemetry's own registry unless given (a worker serves the sum of all workers). */
  metricsText?: MetricsText
}

/**
 * The HTTP surface. Proxy routes return a Response built by the proxy handler and never
 * touch Elysia's `set`: Elysia would re-stream the body through a text decoder.
 */
export function createApp({ config, logger, fetch, telemetry = createGatewayTelemetry(config, logger), routing = createGatewayRouting(config, logger), metricsText }: AppOptions) {
  const startedAt = Date.now()
  const proxy = createProxyHandler({ config, logger, providers, defaultProvider: DEFAULT_PROVIDER, telemetry, routing, fetch })
  const { registry } = telemetry.metrics
  const metrics = metricsText ?? (() => registry.metrics())
  // Off, or on a port of its own (main.ts or, with workers, the supervisor serves it): then this port has no /metrics.
  const metricsHere = config.metrics.enabled && config.metrics.port === null
  // CORS headers go on the Responses built here, never through Elysia's `set` (see above).
  const cors = createCors(config.cors)
  const withCors = cors === null ? (_request: Request, response: Response) => response : cors.apply

  const notFound = (request: Request, path: string) =>
    errorResponse(new GatewayError(404, 'not_found', 'unknown_url', `Unknown request URL: ${request.method} ${path.slice(0, 200)}`), wireFormatFor(path), Bun.randomUUIDv7())

  // Elysia finds the path by skipping 11 characters of the URL unless told not to, as if every
  // host were at least four long: behind `Host: llm` (a service name on port 80) every route 404'd.
  return new Elysia({ precompile: true, handler: { standardHostname: false } })
    .onError({ as: 'global' }, function answerError({ code, request, error }) {
      const path = pathAndQuery(request.url).pathname
      const requestId = Bun.randomUUIDv7()
      if (code === 'NOT_FOUND') return cors?.preflight(request) ?? withCors(request, notFound(request, path))
      logger.error('unhandled error', { code: String(code), error: error instanceof Error ? error.message : String(error) })
      return withCors(request, errorResponse(new GatewayError(500, 'internal', 'internal_error', 'The gateway failed to handle this request'), wireFormatFor(path), requestId))
    })
    .get('/health', ({ request }) => withCors(request, Response.json({ status: 'ok', version: VERSION, uptime_seconds: Math.round((Date.now() - startedAt) / 1000) })))
    .get('/metrics', async ({ request }) => (metricsHere ? withCors(request, await metricsResponse(metrics)) : notFound(request, '/metrics')))
    .all(
      '/v1/*',
      cors === null
        ? ({ request, server }) => proxy(request, server)
        : async function proxyWithCors({ request, server }) {
            return cors.preflight(request) ?? cors.apply(request, await proxy(request, server))
          },
      { parse: 'none' },
    )
}

export function createGatewayTelemetry(config: GatewayConfig, logger: Logger, onRecord?: Parameters<typeof createTelemetry>[0]['onRecord']): Telemetry {
  return createTelemetry({ settings: config.telemetry, serviceVersion: VERSION, deploymentEnvironment: config.deploymentEnvironment, logger, onRecord })
}

export function createGatewayRouting(config: GatewayConfig, logger: Logger): Routing {
  return createRouting({ settings: config.routing, knownProviders: new Set(providers.keys()), logger })
}

export type GatewayApp = ReturnType<typeof createApp>
