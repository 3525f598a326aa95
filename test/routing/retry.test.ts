import { describe, expect, test } from 'bun:test'
import { isRetryableStatus, MAX_RETRY_AFTER_MS, retryDelayMs } from '../../src/routing/retry'

describe('isRetryableStatus', () => {
  const rows: [number, boolean][] = [[200, false], [400, false], [401, false], [404, false], [408, true], [409, true], [429, true], [500, true], [503, true], [529, true]]
  test.each(rows)('%d → %p', (status, expected) => expect(isRetryableStatus(status)).toBe(expected))
})

describe('retryDelayMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z')
  const half = () => 0.5
  const rows: [string, number, string | null, number][] = [
    ['backoff, first retry, half jitter', 0, null, 100],
    ['backoff doubles per retry', 2, null, 400],
    ['retry-after in seconds wins', 0, '2', 2000],
    ['retry-after as an HTTP date', 0, 'Thu, 01 Jan 2026 00:00:03 GMT', 3000],
    ['retry-after capped by max backoff', 0, '60', 5000],
    ['unparseable retry-after falls back to backoff', 1, 'soon', 200],
    // Date.parse reads each of these as a date long past, which would mean "retry now".
    ['a negative number is no retry-after', 1, '-5', 200],
    ['"1." is no retry-after', 1, '1.', 200],
    ['a list is no retry-after', 1, '5, 10', 200],
    ['"1 2" is no retry-after', 1, '1 2', 200],
    ['an ISO date is no HTTP date', 1, '2026-01-01T00:00:03Z', 200],
  ]
  test.each(rows)('%s', (_name, retry, header, expected) => expect(retryDelayMs(retry, header, 200, 5000, half, now)).toBe(expected))
  test('never longer than the global cap', () => expect(retryDelayMs(0, '3600', 200, 1_000_000, half, now)).toBe(MAX_RETRY_AFTER_MS))
})
