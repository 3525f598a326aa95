import { describe, expect, test } from 'bun:test'
import { createRateLimiter } from '../../src/routing/rate-limiter'

describe('createRateLimiter', () => {
  test('rpm: the request past the limit is refused until the minute ends', () => {
    let now = 1_000_000
    const limiter = createRateLimiter(() => now)
    const key = { key: 'k', name: 'k', rpm: 2 }
    expect(limiter.admit(key)).toEqual({ ok: true })
    now += 10_000
    expect(limiter.admit(key)).toEqual({ ok: true })
    expect(limiter.admit(key)).toEqual({ ok: false, limit: 'requests', retryAfterSeconds: 50 })
    now += 50_000
    expect(limiter.admit(key)).toEqual({ ok: true })
  })

  test('tpm counts tokens after the fact; unknown counts add nothing; keys are counted apart', () => {
    let now = 0
    const limiter = createRateLimiter(() => now)
    const key = { key: 'k', name: 'k', tpm: 100 }
    const other = { key: 'o', name: 'o', tpm: 100 }
    expect(limiter.admit(key).ok).toBe(true)
    limiter.addTokens(key, null)
    limiter.addTokens(key, 99)
    expect(limiter.admit(key).ok).toBe(true)
    limiter.addTokens(key, 1)
    expect(limiter.admit(key)).toEqual({ ok: false, limit: 'tokens', retryAfterSeconds: 60 })
    expect(limiter.admit(other).ok).toBe(true)
    now = 60_000
    expect(limiter.admit(key).ok).toBe(true)
  })

  test('a key without limits is always let in', () => {
    const limiter = createRateLimiter(() => 0)
    for (let i = 0; i < 1000; i++) expect(limiter.admit({ key: 'k', name: 'k' }).ok).toBe(true)
  })
})
