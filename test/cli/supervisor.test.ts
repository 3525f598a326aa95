import { describe, expect, test } from 'bun:test'
import { createSupervisor, type WorkerExit, type WorkerProcess } from '../../src/cli/supervisor'
import { DEFAULT_RESTART_POLICY } from '../../src/cli/restart-backoff'
import { createLogger, type LogFields } from '../../src/logger'

/** Workers that exit when a test says so, a scheduler that runs when a test says so, a clock a test sets. */
function harness(count: number) {
  const workers: (WorkerProcess & { index: number; signals: string[]; exit(result: WorkerExit): void })[] = []
  const scheduled: { run: () => void; delayMs: number; cancelled: boolean }[] = []
  const logs: (LogFields & { msg: string })[] = []
  let clock = 0
  let nextPid = 100
  let spawnsFail = false
  const supervisor = createSupervisor({
    count,
    logger: createLogger('debug', (line) => logs.push(JSON.parse(line))),
    startWorker(index) {
      if (spawnsFail) throw new Error('ENOENT: posix_spawn')
      let exit!: (result: WorkerExit) => void
      const exited = new Promise<WorkerExit>((resolve) => (exit = resolve))
      const worker = { index, pid: nextPid++, exited, signals: [] as string[], kill: (signal: string) => void worker.signals.push(signal), exit }
      workers.push(worker)
      return worker
    },
    schedule(run, delayMs) {
      const entry = { run, delayMs, cancelled: false }
      scheduled.push(entry)
      return { cancel: () => void (entry.cancelled = true) }
    },
    now: () => clock,
  })
  const settle = () => Bun.sleep(0)
  const runScheduled = () => {
    const due = scheduled.splice(0).filter((entry) => !entry.cancelled)
    for (const entry of due) entry.run()
  }
  const failSpawns = () => void (spawnsFail = true)
  return { supervisor, workers, scheduled, logs, settle, runScheduled, failSpawns, advance: (ms: number) => void (clock += ms) }
}

describe('createSupervisor', () => {
  test('starts one worker per slot', () => {
    const { supervisor, workers } = harness(3)
    expect(workers.map((worker) => worker.index)).toEqual([0, 1, 2])
    expect(supervisor.pids()).toEqual([100, 101, 102])
  })

  test('restarts a crashed worker in the same slot after a delay that doubles while it keeps crashing', async () => {
    const { workers, scheduled, settle, runScheduled } = harness(2)
    const delays: number[] = []
    for (let round = 0; round < 4; round++) {
      workers.at(round === 0 ? 0 : -1)!.exit({ code: 1, signal: null })
      await settle()
      delays.push(scheduled[0]!.delayMs)
      runScheduled()
    }
    expect(delays).toEqual([100, 200, 400, 800])
    expect(workers.map((worker) => worker.index)).toEqual([0, 1, 0, 0, 0, 0])
  })

  test('a worker that ran long enough before crashing is restarted after the shortest delay again', async () => {
    const { workers, scheduled, settle, runScheduled, advance } = harness(1)
    for (let round = 0; round < 3; round++) {
      workers.at(-1)!.exit({ code: null, signal: 'SIGKILL' })
      await settle()
      runScheduled()
    }
    advance(DEFAULT_RESTART_POLICY.stableAfterMs)
    workers.at(-1)!.exit({ code: 1, signal: null })
    await settle()
    expect(scheduled[0]!.delayMs).toBe(100)
  })

  test('gives up after too many failures in a row: stops the others and exits 1', async () => {
    const { supervisor, workers, settle, runScheduled, logs } = harness(2)
    for (let failure = 0; failure <= DEFAULT_RESTART_POLICY.maxFailures; failure++) {
      workers.filter((worker) => worker.index === 0).at(-1)!.exit({ code: 1, signal: null })
      await settle()
      runScheduled()
    }
    expect(logs.some((line) => line.msg === 'worker keeps failing: stopping the gateway')).toBe(true)
    const other = workers.find((worker) => worker.index === 1)!
    expect(other.signals).toEqual(['SIGTERM'])
    other.exit({ code: 0, signal: null })
    expect(await supervisor.done).toBe(1)
  })

  test('a worker that cannot be started again (its binary gone) counts as failing: backoff, then give up, no crash', async () => {
    const { supervisor, workers, scheduled, settle, runScheduled, failSpawns, logs } = harness(2)
    failSpawns()
    workers[0]!.exit({ code: null, signal: 'SIGKILL' })
    await settle()
    const delays: number[] = []
    while (scheduled.length > 0) {
      delays.push(scheduled[0]!.delayMs)
      runScheduled()
    }
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600].slice(0, delays.length))
    expect(delays.length).toBe(DEFAULT_RESTART_POLICY.maxFailures)
    expect(logs.filter((line) => line.msg === 'worker could not be started')).toHaveLength(DEFAULT_RESTART_POLICY.maxFailures)
    expect(logs.some((line) => line.msg === 'worker keeps failing: stopping the gateway')).toBe(true)
    workers[1]!.exit({ code: 0, signal: null })
    expect(await supervisor.done).toBe(1)
  })

  test('stop forwards the signal once to each worker and resolves 0 when all drained cleanly', async () => {
    const { supervisor, workers } = harness(2)
    supervisor.stop('SIGTERM')
    expect(workers.map((worker) => worker.signals)).toEqual([['SIGTERM'], ['SIGTERM']])
    let done: number | undefined
    void supervisor.done.then((code) => (done = code))
    workers[0]!.exit({ code: 0, signal: null })
    await Bun.sleep(0)
    expect(done).toBeUndefined()
    workers[1]!.exit({ code: 0, signal: null })
    expect(await supervisor.done).toBe(0)
  })

  test('a worker that does not drain cleanly makes the exit code 1', async () => {
    const { supervisor, workers } = harness(2)
    supervisor.stop('SIGINT')
    workers[0]!.exit({ code: 0, signal: null })
    workers[1]!.exit({ code: null, signal: 'SIGKILL' })
    expect(await supervisor.done).toBe(1)
  })

  test('stop cancels a pending restart, and workers exiting after stop are not restarted', async () => {
    const { supervisor, workers, scheduled, settle } = harness(2)
    workers[0]!.exit({ code: 1, signal: null })
    await settle()
    supervisor.stop('SIGTERM')
    expect(scheduled[0]!.cancelled).toBe(true)
    workers[1]!.exit({ code: 0, signal: null })
    expect(await supervisor.done).toBe(0)
    expect(workers).toHaveLength(2)
  })

  test('a second stop signals the workers again and resolves 1 at once', async () => {
    const { supervisor, workers } = harness(2)
    supervisor.stop('SIGTERM')
    supervisor.stop('SIGTERM')
    expect(workers.map((worker) => worker.signals)).toEqual([
      ['SIGTERM', 'SIGTERM'],
      ['SIGTERM', 'SIGTERM'],
    ])
    expect(await supervisor.done).toBe(1)
  })

  test('forward passes other signals on without stopping', () => {
    const { supervisor, workers } = harness(2)
    supervisor.forward('SIGHUP')
    expect(workers.map((worker) => worker.signals)).toEqual([['SIGHUP'], ['SIGHUP']])
    expect(supervisor.pids()).toHaveLength(2)
  })
})
