import { describe, expect, test } from 'bun:test'
import { drainServer, handleShutdownSignals, type ShutdownStep } from '../../src/cli/graceful-shutdown'
import { createLogger, type LogFields } from '../../src/logger'

function recordingLogger() {
  const lines: (LogFields & { msg: string })[] = []
  return { lines, logger: createLogger('debug', (line) => lines.push(JSON.parse(line))) }
}

describe('handleShutdownSignals', () => {
  test('runs every step in order, then exits 0', async () => {
    const { lines, logger } = recordingLogger()
    const ran: string[] = []
    const exits: number[] = []
    const steps: ShutdownStep[] = [
      { name: 'drain', run: async () => void ran.push('drain') },
      { name: 'flush', run: async () => void ran.push('flush') },
    ]
    const shutdown = handleShutdownSignals({ logger, steps, exit: (code) => void exits.push(code), signals: [] })
    await shutdown('SIGTERM')
    expect(ran).toEqual(['drain', 'flush'])
    expect(exits).toEqual([0])
    expect(lines.map((line) => line.msg)).toEqual(['shutting down', 'stopped'])
  })

  test('steps added after the handler was installed still run (the hook for later parts)', async () => {
    const { logger } = recordingLogger()
    const ran: string[] = []
    const steps: ShutdownStep[] = []
    const shutdown = handleShutdownSignals({ logger, steps, exit: () => {}, signals: [] })
    steps.push({ name: 'late', run: async () => void ran.push('late') })
    await shutdown('SIGINT')
    expect(ran).toEqual(['late'])
  })

  test('a failing step is logged, the next one still runs, and the exit code is 1', async () => {
    const { lines, logger } = recordingLogger()
    const ran: string[] = []
    const exits: number[] = []
    const steps: ShutdownStep[] = [
      { name: 'drain', run: async () => Promise.reject(new Error('socket gone')) },
      { name: 'flush', run: async () => void ran.push('flush') },
    ]
    await handleShutdownSignals({ logger, steps, exit: (code) => void exits.push(code), signals: [] })('SIGTERM')
    expect(ran).toEqual(['flush'])
    expect(exits).toEqual([1])
    expect(lines.find((line) => line.msg === 'shutdown step failed')).toMatchObject({ step: 'drain', error: 'socket gone' })
  })

  test('a second signal while the steps run exits 1 at once, after each step has said what it leaves undone', async () => {
    const { lines, logger } = recordingLogger()
    const exits: number[] = []
    const abandoned: string[] = []
    let finishDrain!: () => void
    const steps: ShutdownStep[] = [
      { name: 'drain', run: () => new Promise<void>((resolve) => (finishDrain = resolve)) },
      { name: 'flush', run: async () => {}, abandon: () => void abandoned.push('flush') },
      { name: 'broken', run: async () => {}, abandon: () => { throw new Error('no') } },
    ]
    const shutdown = handleShutdownSignals({ logger, steps, exit: (code) => void exits.push(code), signals: [] })
    const first = shutdown('SIGTERM')
    await shutdown('SIGTERM')
    expect(exits).toEqual([1])
    expect(abandoned).toEqual(['flush'])
    expect(lines.at(-1)).toMatchObject({ msg: 'second signal: exiting now', signal: 'SIGTERM' })
    finishDrain()
    await first
  })
})

describe('drainServer', () => {
  test('refuses new connections at once and waits for the request in flight', async () => {
    const { lines, logger } = recordingLogger()
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    let arrived!: () => void
    const inFlight = new Promise<void>((resolve) => (arrived = resolve))
    const server = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      async fetch() {
        arrived()
        await held
        return new Response('finished')
      },
    })
    const url = `http://127.0.0.1:${server.port}/`
    const slow = fetch(url).then((response) => response.text())
    await inFlight

    let drained = false
    const draining = drainServer(server, 10_000, logger)
      .run()
      .then(() => (drained = true))
    expect(await fetch(url).then(() => 'answered', () => 'refused')).toBe('refused')
    expect(drained).toBe(false)
    release()
    expect(await slow).toBe('finished')
    await draining
    expect(lines.map((line) => line.msg)).toEqual(['draining'])
  })

  test('at the deadline it closes what is left and says so', async () => {
    const { lines, logger } = recordingLogger()
    let arrived!: () => void
    const inFlight = new Promise<void>((resolve) => (arrived = resolve))
    const server = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch() {
        arrived()
        return new Promise<Response>(() => {})
      },
    })
    const stuck = fetch(`http://127.0.0.1:${server.port}/`).then(() => 'answered', () => 'cut')
    await inFlight
    await drainServer(server, 50, logger).run()
    expect(await stuck).toBe('cut')
    expect(lines.map((line) => line.msg)).toEqual(['draining', 'drain deadline reached: closing remaining connections'])
  })
})
