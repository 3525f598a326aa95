import type { Logger } from '../logger'
import { DEFAULT_RESTART_POLICY, nextFailureCount, restartDelayMs, type RestartPolicy } from './restart-backoff'

/** What the supervisor needs of one worker process; `Bun.spawn` in production, fakes in tests. */
export interface WorkerProcess {
  pid: number
  exited: Promise<WorkerExit>
  kill(signal: NodeJS.Signals): void
}

export interface WorkerExit {
  code: number | null
  signal: string | null
}

export interface Cancellable {
  cancel(): void
}

export interface SupervisorOptions {
  count: number
  logger: Logger
  startWorker(index: number): WorkerProcess
  policy?: RestartPolicy
  schedule?: (run: () => void, delayMs: number) => Cancellable
  now?: () => number
}

export interface Supervisor {
  /** First call: forward the signal and wait for every worker to drain. Second call: exit now. */
  stop(signal: NodeJS.Signals): void
  /** Passes a signal that is not a stop (SIGHUP: reload) on to every worker. */
  forward(signal: NodeJS.Signals): void
  /** Resolves with the exit code once every worker is gone (or at once on a second stop). */
  done: Promise<number>
  /** Process ids of the workers running now. */
  pids(): number[]
}

interface Slot {
  index: number
  worker?: WorkerProcess
  startedAt: number
  failures: number
  pendingRestart?: Cancellable
}

/**
 * Keeps `count` workers running. A worker that exits unasked is restarted after a growing
 * delay; one that keeps failing makes the supervisor stop everything and exit 1. On stop
 * the signal goes to every worker, which drains on its own; exit code 0 when all of them
 * drained cleanly.
 */
export function createSupervisor(options: SupervisorOptions): Supervisor {
  const { count, logger, startWorker, policy = DEFAULT_RESTART_POLICY, schedule = scheduleTimer, now = Date.now } = options
  const slots: Slot[] = Array.from({ length: count }, (_, index) => ({ index, startedAt: 0, failures: 0 }))
  let stopping = false
  let failed = false
  let resolveDone!: (code: number) => void
  const done = new Promise<number>((resolve) => (resolveDone = resolve))

  const live = () => slots.flatMap((slot) => (slot.worker ? [slot.worker] : []))

  function start(slot: Slot): void {
    slot.pendingRestart = undefined
    slot.startedAt = now()
    let worker: WorkerProcess
    try {
      worker = startWorker(slot.index)
    } catch (error) {
      // A spawn that throws (the binary gone, EAGAIN, a task limit) is a failed start: the
      // backoff and the give-up apply to it as to a crash, from inside a restart timer too.
      logger.error('worker could not be started', { worker: slot.index, error: error instanceof Error ? error.message : String(error) })
      return onExit(slot, null, { code: null, signal: null })
    }
    slot.worker = worker
    logger.info('worker started', { worker: slot.index, pid: worker.pid })
    void worker.exited.then((exit) => onExit(slot, worker.pid, exit))
  }

  function onExit(slot: Slot, pid: number | null, exit: WorkerExit): void {
    slot.worker = undefined
    const fields = { worker: slot.index, pid, code: exit.code, signal: exit.signal }
    if (stopping) {
      if (exit.code !== 0) failed = true
      logger.info('worker stopped', fields)
      if (live().length === 0) resolveDone(failed ? 1 : 0)
      return
    }
    slot.failures = nextFailureCount(slot.failures, now() - slot.startedAt, policy)
    if (slot.failures > policy.maxFailures) {
      logger.error('worker keeps failing: stopping the gateway', { ...fields, failures: slot.failures })
      failed = true
      stop('SIGTERM')
      return
    }
    const delay = restartDelayMs(slot.failures, policy)
    logger.warn('worker exited: restarting', { ...fields, restart_in_ms: delay })
    slot.pendingRestart = schedule(() => start(slot), delay)
  }

  function stop(signal: NodeJS.Signals): void {
    if (stopping) {
      logger.warn('second signal: exiting now', { signal })
      for (const worker of live()) worker.kill(signal)
      resolveDone(1)
      return
    }
    stopping = true
    logger.info('stopping workers', { signal, workers: live().length })
    for (const slot of slots) slot.pendingRestart?.cancel()
    for (const worker of live()) worker.kill(signal)
    if (live().length === 0) resolveDone(failed ? 1 : 0)
  }

  slots.forEach(start)
  function forward(signal: NodeJS.Signals): void {
    for (const worker of live()) worker.kill(signal)
  }

  return { stop, forward, done, pids: () => live().map((worker) => worker.pid) }
}

function scheduleTimer(run: () => void, delayMs: number): Cancellable {
  const timer = setTimeout(run, delayMs)
  return { cancel: () => clearTimeout(timer) }
}
