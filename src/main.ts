import { loadConfig, type GatewayConfig } from './config/load-config'
import { settingsHelp } from './config/help'
import { createLogger, type Logger } from './logger'
import { ensureRuntimeEnvironment } from './runtime-environment'
import { RoutingConfigError, type Routing } from './routing/routing'
import { createApp, createGatewayRouting } from './server/app'
import { COMMIT, VERSION } from './version'

const USAGE = `ai-gateway ${VERSION}: one endpoint in front of many AI providers.

Usage: ai-gateway [--help | --version | --check-config]

Settings come from the environment or a .env file in the working directory (the environment wins):
${settingsHelp()}
`

function main(argv: string[]): void {
  if (argv.includes('--help') || argv.includes('-h')) return void process.stdout.write(USAGE)
  if (argv.includes('--version')) return void console.log(`ai-gateway ${VERSION} (${COMMIT})`)

  const loaded = loadConfig(process.env)
  if (!loaded.ok) {
    process.stderr.write(`ai-gateway: invalid configuration:\n${loaded.errors.map((e) => `  - ${e}`).join('\n')}\n`)
    process.exit(2)
  }
  if (argv.includes('--check-config')) return void console.log('configuration is valid')

  const logger = createLogger(loaded.config.logLevel)
  const routing = loadRouting(loaded.config, logger)
  ensureRuntimeEnvironment()
  serve(loaded.config, logger, routing)
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

function serve(config: GatewayConfig, logger: Logger, routing: Routing): void {
  // The routing file is re-read on SIGHUP and when it changes; an invalid one is logged and ignored.
  // Installed before "listening" is logged: a SIGHUP from then on must not end the process.
  routing.watch()
  process.on('SIGHUP', () => routing.reload())
  const app = createApp({ config, logger, routing }).listen({
    port: config.port,
    hostname: config.host,
    reusePort: false,
    // The proxy enforces MAX_REQUEST_BODY_BYTES with a JSON 413; Bun's own limit only backs it up.
    maxRequestBodySize: config.maxRequestBodyBytes + 1024 * 1024,
  })
  const server = app.server!
  logger.info('listening', { url: `http://${server.hostname}:${server.port}`, version: VERSION })

  process.on('unhandledRejection', (reason) => logger.error('unhandled rejection', { error: String(reason) }))

  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) {
      logger.warn('second signal: exiting now', { signal })
      process.exit(1)
    }
    stopping = true
    logger.info('draining', { signal, timeout_ms: config.shutdownTimeoutMs })
    const drained = server.stop(false).then(() => true)
    const timedOut = Bun.sleep(config.shutdownTimeoutMs).then(() => false)
    if (!(await Promise.race([drained, timedOut]))) {
      logger.warn('drain deadline reached: closing remaining connections')
      await server.stop(true)
    }
    logger.info('stopped')
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}

main(process.argv.slice(2))
