import { loadConfig } from '../../src/config/load-config'
import { silentLogger } from '../../src/logger'
import { createApp } from '../../src/server/app'

export interface RunningGateway {
  url: string
  stop(): void
}

/** The gateway in this process on a free loopback port, configured from `env` only. */
export function startGateway(env: Record<string, string>): RunningGateway {
  const loaded = loadConfig({ PORT: '0', ...env })
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'))
  const app = createApp({ config: loaded.config, logger: silentLogger }).listen({ port: 0, hostname: '127.0.0.1', reusePort: false })
  const server = app.server!
  return { url: `http://127.0.0.1:${server.port}`, stop: () => void server.stop(true) }
}
