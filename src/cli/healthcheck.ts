import type { GatewayConfig } from '../config/load-config'

export interface HealthcheckOptions {
  fetch?: typeof fetch
  timeoutMs?: number
  out?: (line: string) => void
  err?: (line: string) => void
}

/**
 * `ai-gateway healthcheck`: asks the gateway configured by the same environment and `.env`
 * for `/health`. Exit code 0 when it answers `{"status":"ok"}`, 1 otherwise, as Docker's
 * HEALTHCHECK expects (https://docs.docker.com/reference/dockerfile/#healthcheck); it
 * needs no shell or curl, which a distroless image does not have.
 */
export async function runHealthcheck(config: Pick<GatewayConfig, 'host' | 'port'>, options: HealthcheckOptions = {}): Promise<number> {
  const { fetch: fetchFn = fetch, timeoutMs = 2000, out = console.log, err = console.error } = options
  if (config.port === 0) {
    err('healthcheck: PORT=0 picks a random port, so there is no fixed address to check')
    return 1
  }
  const url = healthUrl(config.host, config.port)
  try {
    const response = await fetchFn(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' })
    const body = (await response.json().catch(() => null)) as { status?: unknown; version?: unknown } | null
    if (response.status === 200 && body?.status === 'ok') {
      out(`healthy: ${url} (version ${String(body.version)})`)
      return 0
    }
    err(`unhealthy: ${url} answered ${response.status}`)
  } catch (error) {
    const reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : errorMessage(error)
    err(`unhealthy: ${url}: ${reason}`)
  }
  return 1
}

/** A listener on every interface is reached on loopback; IPv6 literals need brackets in a URL. */
export function healthUrl(host: string, port: number): string {
  const target = host === '0.0.0.0' ? '127.0.0.1' : host === '::' || host === '[::]' ? '::1' : host
  const bracketed = target.includes(':') && !target.startsWith('[') ? `[${target}]` : target
  return `http://${bracketed}:${port}/health`
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
