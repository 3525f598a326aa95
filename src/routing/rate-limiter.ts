import type { GatewayKeyEntry } from './gateway-config'

const WINDOW_MS = 60_000

export type RateDecision = { ok: true } | { ok: false; limit: 'requests' | 'tokens'; retryAfterSeconds: number }

export interface RateLimiter {
  /** Counts one request against the key's per-minute limits, or refuses it. */
  admit(key: GatewayKeyEntry): RateDecision
  /**
   * Adds a finished request's tokens. Token limits count after the fact: a request is let in
   * while the minute's total is under `tpm`, so one large answer can overshoot it once.
   */
  addTokens(key: GatewayKeyEntry, tokens: number | null): void
}

interface Window {
  startedAt: number
  requests: number
  tokens: number
}

/** In-memory fixed one-minute windows per gateway key (per process: each worker counts its own). */
export function createRateLimiter(now: () => number = Date.now): RateLimiter {
  const windows = new Map<string, Window>()

  function windowOf(key: GatewayKeyEntry): Window {
    const time = now()
    let window = windows.get(key.key)
    if (window === undefined || time - window.startedAt >= WINDOW_MS) {
      window = { startedAt: time, requests: 0, tokens: 0 }
      windows.set(key.key, window)
    }
    return window
  }

  return {
    admit(key) {
      if (key.rpm === undefined && key.tpm === undefined) return { ok: true }
      const window = windowOf(key)
      const retryAfterSeconds = Math.max(1, Math.ceil((window.startedAt + WINDOW_MS - now()) / 1000))
      if (key.rpm !== undefined && window.requests >= key.rpm) return { ok: false, limit: 'requests', retryAfterSeconds }
      if (key.tpm !== undefined && window.tokens >= key.tpm) return { ok: false, limit: 'tokens', retryAfterSeconds }
      window.requests++
      return { ok: true }
    },
    addTokens(key, tokens) {
      if (key.tpm === undefined || tokens === null || tokens <= 0) return
      windowOf(key).tokens += tokens
    },
  }
}
