import { loadConfig } from '../../src/config/load-config'
import { createLogger, silentLogger, type Logger } from '../../src/logger'
import { createApp, createGatewayTelemetry } from '../../src/server/app'
import type { RequestRecord } from '../../src/telemetry/request-record'
import type { Telemetry } from '../../src/telemetry/telemetry'

export interface RunningGateway {
  url: string
  telemetry: Telemetry
  /** Every record the gateway finished, in order. */
  records: RequestRecord[]
  /** Log lines written, when started with `captureLogs`. */
  logs: string[]
  stop(): void
}

export interface StartOptions {
  /** Capture JSON log lines at debug level into `logs` instead of discarding them. */
  captureLogs?: boolean
  /** Bun's idle timeout for client connections (Elysia's default is 30 s). */
  idleTimeoutSeconds?: number
}

/** The gateway in this process on a free loopback port, configured from `env` only. */
export function startGateway(env: Record<string, string>, options: StartOptions = {}): RunningGateway {
  const loaded = loadConfig({ PORT: '0', ...env })
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'))
  const logs: string[] = []
  const logger: Logger = options.captureLogs ? createLogger('debug', (line) => logs.push(line)) : silentLogger
  const records: RequestRecord[] = []
  const telemetry = createGatewayTelemetry(loaded.config, logger, (record) => records.push(record))
  // As main does: the index is set up in the background, and records wait for it.
  void telemetry.setUp()
  const app = createApp({ config: loaded.config, logger, telemetry }).listen({ port: 0, hostname: '127.0.0.1', reusePort: false, ...(options.idleTimeoutSeconds !== undefined && { idleTimeout: options.idleTimeoutSeconds }) })
  const server = app.server!
  // Stopping ends the exporter too: one left running would keep shipping for the rest of the test process.
  const stop = () => {
    void server.stop(true)
    void telemetry.shutdown(0)
  }
  return { url: `http://127.0.0.1:${server.port}`, telemetry, records, logs, stop }
}

/** Waits until the gateway has finished `count` records (bodies end after the client read them). */
export async function waitForRecords(gateway: RunningGateway, count: number, timeoutMs = 5000): Promise<RequestRecord[]> {
  const deadline = performance.now() + timeoutMs
  while (gateway.records.length < count && performance.now() < deadline) await Bun.sleep(5)
  return gateway.records
}
