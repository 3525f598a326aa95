import type { Server } from 'bun'
import type { Logger } from '../logger'

/** One thing to finish before the process exits, run in list order after the first signal. */
export interface ShutdownStep {
  name: string
  run(): Promise<void>
  /** On a second signal, which exits at once: say what this step leaves undone (records not flushed). */
  abandon?(): void
}

export interface GracefulShutdownOptions {
  logger: Logger
  /** Mutable on purpose: parts that start later (telemetry) push their own flush step. */
  steps: ShutdownStep[]
  exit?: (code: number) => void
  signals?: readonly NodeJS.Signals[]
}

/**
 * SIGTERM and SIGINT start an orderly stop: every step runs in order (a failing step is
 * logged and the next one still runs), then the process exits 0, or 1 if a step failed.
 * A second signal exits at once with 1. Bun as PID 1 (a container without an init)
 * ignores SIGTERM unless a handler exists, so these handlers are also what makes
 * `docker stop` work. Returns the trigger, for stops that are not signals.
 */
export function handleShutdownSignals(options: GracefulShutdownOptions): (reason: string) => Promise<void> {
  const { logger, steps, exit = (code) => process.exit(code), signals = ['SIGTERM', 'SIGINT'] } = options
  let stopping = false

  async function shutdown(reason: string): Promise<void> {
    if (stopping) {
      logger.warn('second signal: exiting now', { signal: reason })
      for (const step of steps) {
        try {
          step.abandon?.()
        } catch {}
      }
      return exit(1)
    }
    stopping = true
    logger.info('shutting down', { signal: reason })
    let failed = false
    for (const step of steps) {
      try {
        await step.run()
      } catch (error) {
        failed = true
        logger.error('shutdown step failed', { step: step.name, error: error instanceof Error ? error.message : String(error) })
      }
    }
    logger.info('stopped')
    exit(failed ? 1 : 0)
  }

  for (const signal of signals) process.on(signal, () => void shutdown(signal))
  return shutdown
}

/**
 * Stops accepting connections at once and waits for in-flight requests, streams included,
 * up to `timeoutMs`; then closes what is left.
 */
export function drainServer(server: Server<unknown>, timeoutMs: number, logger: Logger): ShutdownStep {
  return {
    name: 'drain',
    async run() {
      logger.info('draining', { timeout_ms: timeoutMs })
      const drained = server.stop(false).then(() => true)
      let timer: Timer | undefined
      const deadline = new Promise<false>((resolve) => (timer = setTimeout(resolve, timeoutMs, false)))
      const finished = await Promise.race([drained, deadline])
      clearTimeout(timer)
      if (!finished) {
        logger.warn('drain deadline reached: closing remaining connections')
        await server.stop(true)
      }
    },
  }
}
