import type { Server } from 'bun'
import type { Registry } from '../telemetry/prometheus'
import { pathAndQuery } from './client-request'

/** `GET /metrics` in Prometheus text format. */
export async function metricsResponse(registry: Registry): Promise<Response> {
  return new Response(await registry.metrics(), { headers: { 'content-type': registry.contentType } })
}

/**
 * /metrics on its own port (METRICS_PORT), so it can stay inside a private network while
 * the API port faces clients. It answers nothing else.
 */
export function startMetricsServer(registry: Registry, hostname: string, port: number): Server<undefined> {
  return Bun.serve({
    hostname,
    port,
    reusePort: false,
    fetch(request) {
      const { pathname } = pathAndQuery(request.url)
      if (pathname === '/metrics' && (request.method === 'GET' || request.method === 'HEAD')) return metricsResponse(registry)
      return Response.json({ error: { message: `Unknown request URL: ${request.method} ${pathname.slice(0, 200)}`, type: 'invalid_request_error', param: null, code: 'unknown_url' } }, { status: 404 })
    },
  })
}
