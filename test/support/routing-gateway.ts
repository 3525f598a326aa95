import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../src/config/load-config'
import { createLogger } from '../../src/logger'
import { providers } from '../../src/providers'
import { createRouting, type Routing } from '../../src/routing/routing'
import { createApp, createGatewayTelemetry } from '../../src/server/app'
import type { RequestRecord } from '../../src/telemetry/request-record'

export interface RoutingGateway {
  url: string
  routing: Routing
  records: RequestRecord[]
  logs: string[]
  stop(): void
}

/** Writes a routing file into a fresh temporary directory and returns its path. */
export function writeRoutingFile(content: unknown, name = 'gateway.json'): string {
  const path = join(mkdtempSync(join(tmpdir(), 'ai-gateway-routing-')), name)
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content))
  return path
}

/** A port nothing listens on: a server is started on it and stopped again. */
export function deadPortUrl(): string {
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('') })
  const url = `http://127.0.0.1:${server.port}`
  server.stop(true)
  return url
}

export interface RoutingGatewayOptions {
  env?: Record<string, string>
  random?: () => number
  now?: () => number
}

/** The gateway in this process with a routing file, on a free loopback port. */
export function startRoutingGateway(configFile: string | undefined, options: RoutingGatewayOptions = {}): RoutingGateway {
  const loaded = loadConfig({ PORT: '0', ...(configFile && { GATEWAY_CONFIG: configFile }), ...options.env })
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'))
  const logs: string[] = []
  const logger = createLogger('debug', (line) => logs.push(line))
  const records: RequestRecord[] = []
  const telemetry = createGatewayTelemetry(loaded.config, logger, (record) => records.push(record))
  const routing = createRouting({ settings: loaded.config.routing, knownProviders: new Set(providers.keys()), logger, env: { ...process.env, ...options.env }, random: options.random, now: options.now })
  const app = createApp({ config: loaded.config, logger, telemetry, routing }).listen({ port: 0, hostname: '127.0.0.1', reusePort: false })
  const server = app.server!
  return { url: `http://127.0.0.1:${server.port}`, routing, records, logs, stop: () => void server.stop(true) }
}

