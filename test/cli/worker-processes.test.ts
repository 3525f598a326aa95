import { describe, expect, test } from 'bun:test'
import { resolveWorkerCount } from '../../src/cli/worker-processes'
import { loadConfig } from '../../src/config/load-config'

describe('resolveWorkerCount', () => {
  test.each([
    [1, 8, 1],
    [4, 2, 4],
    ['auto' as const, 8, 8],
    ['auto' as const, 0, 1],
  ])('WORKERS=%p on %i cores: %i', (workers, cores, expected) => {
    expect(resolveWorkerCount(workers, cores)).toBe(expected)
  })
})

describe('the WORKERS setting', () => {
  test.each([
    [undefined, 1],
    ['1', 1],
    ['4', 4],
    ['auto', 'auto'],
  ])('%p → %p', (value, expected) => {
    const loaded = loadConfig(value === undefined ? {} : { WORKERS: value })
    expect(loaded.ok && loaded.config.workers).toBe(expected as never)
  })

  test.each([
    [{ WORKERS: '0' }, 'WORKERS: got "0", expected one of auto | an integer from 1 to 1024'],
    [{ WORKERS: 'many' }, 'WORKERS: got "many", expected one of auto | an integer from 1 to 1024'],
    [{ WORKERS: '2', PORT: '0' }, 'WORKERS: got "2", but several workers cannot share PORT=0 (each would pick its own port)'],
    [{ WORKERS: 'auto', PORT: '0' }, 'WORKERS: got "auto", but several workers cannot share PORT=0 (each would pick its own port)'],
  ])('%j is refused', (env, message) => {
    expect(loadConfig(env)).toEqual({ ok: false, errors: [message] })
  })
})

describe('a worker', () => {
  test('whose supervisor is gone before it starts (another process adopted it) stops instead of serving on', async () => {
    const { freePort, startBinary } = await import('../support/binary-process')
    const worker = startBinary([process.execPath, new URL('../../src/main.ts', import.meta.url).pathname], {
      cwd: new URL('../../', import.meta.url).pathname,
      // The named supervisor is not this worker's parent (the test runner is): it is gone.
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(freePort()), AI_GATEWAY_WORKER: '0', AI_GATEWAY_SUPERVISOR_PID: '1' },
    })
    expect(await worker.exited).toBe(0)
    expect(worker.logs.find((line) => line.msg === 'shutting down')).toMatchObject({ signal: 'supervisor gone' })
  }, 10_000)
})
