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
