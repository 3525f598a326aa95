// First, for its side effect: re-exec with the runtime environment before loading the rest.
import './cli/early-reexec'
import { accessSync, constants } from 'node:fs'
import { drainServer, handleShutdownSignals, type ShutdownStep } from './cli/graceful-shutdown'
import { workerMetrics } from './cli/cluster-metrics'
import { runHealthcheck } from './cli/healthcheck'
import { parseCommand } from './cli/parse-command'
import { resolveWorkerCount, stopWhenOrphaned, superviseWorkers, WORKER_ENV } from './cli/worker-processes'
import { loadConfig, type GatewayConfig } from './config/load-config'
import { settingsHelp } from './config/help'
import { createLogger, type Logger } from './logger'
import { readPriceFile } from './telemetry/pricing'
import { RoutingConfigError, type Routing } from './routing/routing'
import { createApp, createGatewayRouting, createGatewayTelemetry } from './server/app'
import { startMetricsServer } from './server/metrics-server'
import { COMMIT, VERSION } from './version'

/** How long the final telemetry flush may take after the drain. */
const TELEMETRY_FLUSH_TIMEOUT_MS = 10_000

const USAGE = `ai-gateway ${VERSION}: one endpoint in front of many AI providers.

Usage: ai-gateway [--help | --version | --check-config | healthcheck]

  (no argument)    serve
  --check-config   validate the settings and exit
  healthcheck      GET /health of the gateway these settings describe; exit 0 if healthy, 1 if not

Settings come from the environment or a .env file in the working directory (the environment wins):
${settingsHelp()}
`

/**
 * Bun reads `.env` before this code runs, and passes over one it cannot read without a word:
 * the gateway would serve on defaults, without the gateway keys the file holds. A systemd
 * service (INVOCATION_ID) is the exception: its unit hands it the settings of a root-only file.
 */
function unreadableDotEnv(): string | null {
  if (process.env.INVOCATION_ID !== undefined) return null
  try {
    accessSync('.env', constants.R_OK)
    return null
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return code === 'ENOENT' ? null : `.env in the working directory cannot be read (${code}): its settings would be missing. Make it readable by this user, or remove it`
  }
}

async function main(argv: string[]): Promise<void> {
  const parsed = parseCommand(argv)
  if (!parsed.ok) {
    process.stderr.write(`ai-gateway: ${parsed.error}\n\n${USAGE}`)
    process.exit(2)
  }
  const { command } = parsed
  if (command === 'help') return void process.stdout.write(USAGE)
  if (command === 'version') return void console.log(`ai-gateway ${VERSION} (${COMMIT})`)

  const dotEnvProblem = unreadableDotEnv()
  if (dotEnvProblem !== null) {
    process.stderr.write(`ai-gateway: ${dotEnvProblem}\n`)
    process.exit(command === 'healthcheck' ? 1 : 2)
  }
  const loaded = loadConfig(process.env)
  if (!loaded.ok) {
    process.stderr.write(`ai-gateway: invalid configuration:\n${loaded.errors.map((e) => `  - ${e}`).join('\n')}\n`)
    // A health check has only two answers: anything but healthy is 1 (Docker reserves 2).
    process.exit(command === 'healthcheck' ? 1 : 2)
  }
  const { config } = loaded
  if (command === 'healthcheck') process.exit(await runHealthcheck(config))

  // The files the settings name are part of the configuration: checked before anything serves.
  const logger = createLogger(config.logLevel)
  const routing = loadRouting(config, logger)
  checkPriceFile(config)
  if (command === 'check-config') return void console.log('configuration is valid')
  const workers = resolveWorkerCount(config.workers, navigator.hardwareConcurrency)
  const worker = process.env[WORKER_ENV]
  // One worker needs no supervisor: this process serves. Several: this one only supervises.
  if (workers > 1 && worker === undefined) return superviseWorkers(workers, config, logger)
  serve(config, logger, worker, routing)
}

/** A PRICES_FILE that cannot be read or has the wrong shape stops the start with exit 2. */
function checkPriceFile(config: GatewayConfig): void {
  if (config.telemetry.pricesFile === undefined) return
  try {
    readPriceFile(config.telemetry.pricesFile)
  } catch (error) {
    process.stderr.write(`ai-gateway: invalid configuration:\n  - ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(2)
  }
}

/** A bad routing file or server-side keys without gateway keys stop the start with exit 2. */
function loadRouting(config: GatewayConfig, logger: Logger): Routing {
  try {
    return createGatewayRouting(config, logger)
  } catch (error) {
    if (!(error instanceof RoutingConfigError)) throw error
    process.stderr.write(`ai-gateway: invalid routing configuration:\n${error.errors.map((e) => `  - ${e}`).join('\n')}\n`)
    process.exit(2)
  }
}

function serve(config: GatewayConfig, logger: Logger, worker: string | undefined, routing: Routing): void {
  // The routing file is re-read on SIGHUP and when it changes; an invalid one is logged and ignored.
  // Installed before "listening" is logged: a SIGHUP from then on must not end the process.
  routing.watch()
  process.on('SIGHUP', () => routing.reload())
  // Run in order on SIGTERM/SIGINT. Handled before the port opens: a signal that comes
  // right after the listening log line (a supervisor stopping at once) must still drain.
  const shutdownSteps: ShutdownStep[] = []
  const shutdown = handleShutdownSignals({ logger, steps: shutdownSteps })
  if (worker !== undefined) stopWhenOrphaned((reason) => void shutdown(reason))

  const telemetry = createGatewayTelemetry(config, logger)
  void telemetry.setUp()
  // A worker's /metrics is the sum over all the supervisor's workers, not its own share.
  const metricsText = worker === undefined ? undefined : (workerMetrics(telemetry.metrics.registry) ?? undefined)
  const app = createApp({ config, logger, telemetry, routing, metricsText }).listen({
    port: config.port,
    hostname: config.host,
    // Sharing the port is deliberate only between the workers of one supervisor.
    reusePort: worker !== undefined,
    // The proxy enforces MAX_REQUEST_BODY_BYTES with a JSON 413; Bun's own limit only backs it up.
    maxRequestBodySize: config.maxRequestBodyBytes + 1024 * 1024,
  })
  const server = app.server!
  if (config.metrics.enabled && config.metrics.port !== null && worker === undefined) {
    // METRICS_PORT: /metrics on a port of its own, bound to the same HOST; it ends with the process.
    // With several workers the supervisor serves it.
    const metrics = startMetricsServer(() => telemetry.metrics.registry.metrics(), config.host, config.metrics.port)
    logger.info('metrics listening', { url: `http://${metrics.hostname}:${metrics.port}/metrics` })
  }
  logger.info('listening', { url: `http://${server.hostname}:${server.port}`, version: VERSION, ...(worker !== undefined && { worker: Number(worker), pid: process.pid }) })

  process.on('unhandledRejection', (reason) => logger.error('unhandled rejection', { error: String(reason) }))

  // Stop accepting and drain first; then the parts that must outlive the last request.
  shutdownSteps.push(
    drainServer(server, config.shutdownTimeoutMs, logger),
    // Records of the last requests are pushed as their bodies end: flush after the drain.
    {
      name: 'flush telemetry',
      run: () => telemetry.shutdown(TELEMETRY_FLUSH_TIMEOUT_MS),
      abandon() {
        const queued = telemetry.exporterStats()?.queued ?? 0
        if (queued > 0) logger.warn('telemetry records dropped', { count: queued, reason: 'second signal: exiting without the flush' })
      },
    },
  )
}

main(process.argv.slice(2)).catch((error: unknown) => {
  // Startup failures (the port is taken, ...) end the process with one readable line.
  process.stderr.write(`ai-gateway: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
