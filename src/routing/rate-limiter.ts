import type { GatewayKeyEntry } from './gateway-config'

const WINDOW_MS = 60_000

/** A rough prompt size from its bytes: about four characters a token for English text and JSON. */
export const BYTES_PER_TOKEN = 4

export type RateDecision = { ok: true } | { ok: false; limit: 'requests' | 'tokens'; retryAfterSeconds: number }

export interface RateLimiter {
  /** Counts one request against the key's per-minute limits, or refuses it. */
  admit(key: GatewayKeyEntry): RateDecision
  /**
   * Holds an admitted request's estimated tokens against the key's `tpm` while it runs, so that
   * requests let in together cannot all pass a limit none of them has counted yet; or refuses
   * it, when those let in while its body was still arriving have reached the limit since.
   */
  reserveTokens(key: GatewayKeyEntry, estimate: number): RateDecision
  /**
   * Ends a reservation with the request's counted tokens, or with the estimate when its usage
   * is unknown (a stream without usage, one cut short). A request is let in while the minute's
   * tokens and those in flight are under `tpm`, so one large answer can overshoot it once.
   */
  settleTokens(key: GatewayKeyEntry, estimate: number, tokens: number | null): void
}

interface Window {
  startedAt: number
  requests: number
  tokens: number
}

/** In-memory fixed one-minute windows per gateway key (per process: each worker counts its own). */
export function createRateLimiter(now: () => number = Date.now): RateLimiter {
  const windows = new Map<string, Window>()
  /** Tokens of the requests in flight, by key: they outlive the window they started in. */
  const reserved = new Map<string, number>()

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
      if (key.tpm !== undefined && window.tokens + (reserved.get(key.key) ?? 0) >= key.tpm) return { ok: false, limit: 'tokens', retryAfterSeconds }
      window.requests++
      return { ok: true }
    },
    reserveTokens(key, estimate) {
      if (key.tpm === undefined) return { ok: true }
      const window = windowOf(key)
      const held = reserved.get(key.key) ?? 0
      if (window.tokens + held >= key.tpm) return { ok: false, limit: 'tokens', retryAfterSeconds: Math.max(1, Math.ceil((window.startedAt + WINDOW_MS - now()) / 1000)) }
      if (estimate > 0) reserved.set(key.key, held + estimate)
      return { ok: true }
    },
    settleTokens(key, estimate, tokens) {
      if (key.tpm === undefined) return
      const left = (reserved.get(key.key) ?? 0) - Math.max(0, estimate)
      if (left > 0) reserved.set(key.key, left)
      else reserved.delete(key.key)
      const counted = tokens ?? estimate
      if (counted > 0) windowOf(key).tokens += counted
    },
  }
}
