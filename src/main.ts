import { loadConfig, type GatewayConfig } from './config/load-config'
import { settingsHelp } from './config/help'
import { createLogger, type Logger } from './logger'
import { ensureRuntimeEnvironment } from './runtime-environment'
import { createApp } from './server/app'
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

  ensureRuntimeEnvironment()
  serve(loaded.config, createLogger(loaded.config.logLevel))
}

function serve(config: GatewayConfig, logger: Logger): void {
  const app = createApp({ config, logger }).listen({
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
