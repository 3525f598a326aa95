import { describe, expect, test } from 'bun:test'
import { deadline } from '../../src/routing/deadlines'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('deadline', () => {
  test('fires once, not before its time', async () => {
    const startedAt = performance.now()
    const fired: number[] = []
    deadline(40, () => fired.push(performance.now() - startedAt))
    await sleep(20)
    expect(fired).toEqual([])
    await sleep(200)
    expect(fired).toHaveLength(1)
    expect(fired[0]!).toBeGreaterThanOrEqual(40)
  })

  test('a cancelled deadline never fires, and cancelling after it fired does nothing', async () => {
    let cancelledFired = false
    let fired = 0
    const cancelled = deadline(10, () => (cancelledFired = true))
    const kept = deadline(10, () => fired++)
    cancelled.cancel()
    await sleep(100)
    kept.cancel()
    expect(cancelledFired).toBe(false)
    expect(fired).toBe(1)
  })

  test('one that throws does not keep the others from firing', async () => {
    let fired = false
    deadline(5, () => {
      throw new Error('boom')
    })
    deadline(5, () => (fired = true))
    await sleep(100)
    expect(fired).toBe(true)
  })

  test('deadlines set after the ticker stopped still fire', async () => {
    let fired = 0
    deadline(5, () => fired++)
    await sleep(60)
    deadline(5, () => fired++)
    await sleep(60)
    expect(fired).toBe(2)
  })
})
