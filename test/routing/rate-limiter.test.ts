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

  test('tpm counts a finished request\'s tokens in place of its estimate; keys are counted apart', () => {
    let now = 0
    const limiter = createRateLimiter(() => now)
    const key = { key: 'k', name: 'k', tpm: 100 }
    const other = { key: 'o', name: 'o', tpm: 100 }
    expect(limiter.admit(key).ok).toBe(true)
    limiter.reserveTokens(key, 10)
    limiter.settleTokens(key, 10, 99)
    expect(limiter.admit(key).ok).toBe(true)
    limiter.reserveTokens(key, 10)
    limiter.settleTokens(key, 10, 1)
    expect(limiter.admit(key)).toEqual({ ok: false, limit: 'tokens', retryAfterSeconds: 60 })
    expect(limiter.admit(other).ok).toBe(true)
    now = 60_000
    expect(limiter.admit(key).ok).toBe(true)
  })

  test('a reservation is refused once those in flight reach the limit (requests admitted while their bodies still arrived)', () => {
    const limiter = createRateLimiter(() => 0)
    const key = { key: 'k', name: 'k', tpm: 100 }
    for (let i = 0; i < 10; i++) expect(limiter.admit(key).ok).toBe(true)
    const reserved = Array.from({ length: 10 }, () => limiter.reserveTokens(key, 32).ok)
    expect(reserved).toEqual([true, true, true, true, false, false, false, false, false, false])
  })

  test('requests in flight hold their estimate: ten let in together cannot all pass the limit', () => {
    const limiter = createRateLimiter(() => 0)
    const key = { key: 'k', name: 'k', tpm: 100 }
    let admitted = 0
    for (let i = 0; i < 10; i++) {
      if (!limiter.admit(key).ok) continue
      admitted++
      limiter.reserveTokens(key, 30)
    }
    expect(admitted).toBe(4)
    // Each ends with its counted usage; the reservations are gone and the minute holds 4 × 25.
    for (let i = 0; i < 4; i++) limiter.settleTokens(key, 30, 25)
    expect(limiter.admit(key)).toEqual({ ok: false, limit: 'tokens', retryAfterSeconds: 60 })
  })

  test('a request whose usage stays unknown (a stream without usage, one cut short) counts its estimate', () => {
    let now = 0
    const limiter = createRateLimiter(() => now)
    const key = { key: 'k', name: 'k', tpm: 100 }
    expect(limiter.admit(key).ok).toBe(true)
    limiter.reserveTokens(key, 60)
    limiter.settleTokens(key, 60, null)
    expect(limiter.admit(key).ok).toBe(true)
    limiter.reserveTokens(key, 60)
    limiter.settleTokens(key, 60, null)
    expect(limiter.admit(key).ok).toBe(false)
    // A reservation made in one minute and settled in the next leaves no debt behind.
    now = 60_000
    expect(limiter.admit(key).ok).toBe(true)
    limiter.reserveTokens(key, 60)
    now = 120_000
    limiter.settleTokens(key, 60, 5)
    expect(limiter.admit(key).ok).toBe(true)
  })

  test('a key without limits is always let in', () => {
    const limiter = createRateLimiter(() => 0)
    for (let i = 0; i < 1000; i++) expect(limiter.admit({ key: 'k', name: 'k' }).ok).toBe(true)
  })
})
