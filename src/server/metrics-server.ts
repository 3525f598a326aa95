import type { Server } from 'bun'
import { Registry } from '../telemetry/prometheus'
import { pathAndQuery } from './client-request'

/** Where `/metrics` gets its text: this process's registry, or the sum over several workers. */
export type MetricsText = () => Promise<string>

/** Some worker's metrics could not be had: the scrape fails rather than show a smaller sum. */
export class MetricsUnavailable extends Error {
  override name = 'MetricsUnavailable'
}

/** `GET /metrics` in Prometheus text format; a 503 when some worker's counts are missing. */
export async function metricsResponse(metricsText: MetricsText): Promise<Response> {
  try {
    return new Response(await metricsText(), { headers: { 'content-type': Registry.PROMETHEUS_CONTENT_TYPE } })
  } catch (error) {
    if (!(error instanceof MetricsUnavailable)) throw error
    return Response.json({ error: { message: `metrics unavailable: ${error.message}`, type: 'server_error', param: null, code: 'metrics_unavailable' } }, { status: 503 })
  }
}

/**
 * /metrics on its own port (METRICS_PORT), so it can stay inside a private network while
 * the API port faces clients. It answers nothing else. With several workers, the supervisor
 * serves it.
 */
export function startMetricsServer(metricsText: MetricsText, hostname: string, port: number): Server<undefined> {
  return Bun.serve({
    hostname,
    port,
    reusePort: false,
    fetch(request) {
      const { pathname } = pathAndQuery(request.url)
      if (pathname === '/metrics' && (request.method === 'GET' || request.method === 'HEAD')) return metricsResponse(metricsText)
      return Response.json({ error: { message: `Unknown request URL: ${request.method} ${pathname.slice(0, 200)}`, type: 'invalid_request_error', param: null, code: 'unknown_url' } }, { status: 404 })
    },
  })
}
