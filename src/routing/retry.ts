/**
 * When to try an upstream again, and how long to wait first. Retries happen only before the
 * first byte reaches the client: a response that has begun streaming is never replayed.
 */

/** 408, 409 and 429 mean "not now"; 5xx means the provider failed, not the request. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500
}

/** The longest `retry-after` the gateway waits before trying again (max_backoff_ms may lower it); a longer one is shortened to it. */
export const MAX_RETRY_AFTER_MS = 10_000

/**
 * Delay before retry number `retry` (0-based): the provider's `retry-after` when it gives
 * one (seconds or an HTTP date, RFC 9110 §10.2.3), else exponential backoff with full
 * jitter, both capped at `maxMs`.
 */
export function retryDelayMs(retry: number, retryAfter: string | null, baseMs: number, maxMs: number, random: () => number, now = Date.now()): number {
  const cap = Math.min(maxMs, MAX_RETRY_AFTER_MS)
  const told = parseRetryAfter(retryAfter, now)
  if (told !== null) return Math.min(told, cap)
  return Math.min(cap, Math.round(random() * baseMs * 2 ** retry))
}

/** `Sun, 06 Nov 1994 08:49:37 GMT`, the one date form RFC 9110 §5.6.7 lets a sender write. */
const IMF_FIXDATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/

export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null || value.trim() === '') return null
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000)
  // Date.parse takes almost anything (`-5`, `1.`, `5, 10` all read as a time long past): only a
  // real HTTP date is a date here; anything else leaves the backoff in charge.
  if (!IMF_FIXDATE.test(trimmed)) return null
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? null : Math.max(0, date - now)
}

/** Sleeps, but resolves early (with false) when the client goes away. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false)
  if (ms <= 0) return Promise.resolve(true)
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer)
      resolve(false)
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve(true)
    }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
