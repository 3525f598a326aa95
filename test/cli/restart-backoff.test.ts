import { describe, expect, test } from 'bun:test'
import { DEFAULT_RESTART_POLICY, nextFailureCount, restartDelayMs } from '../../src/cli/restart-backoff'

describe('restartDelayMs', () => {
  test.each([
    [1, 100],
    [2, 200],
    [3, 400],
    [8, 12_800],
    [9, 25_600],
    [10, 30_000],
    [1000, 30_000],
  ])('after %i failures in a row: %i ms', (failures, delay) => {
    expect(restartDelayMs(failures)).toBe(delay)
  })

  test('follows the policy it is given', () => {
    expect(restartDelayMs(3, { ...DEFAULT_RESTART_POLICY, initialDelayMs: 1000, maxDelayMs: 2500 })).toBe(2500)
  })
})

describe('nextFailureCount', () => {
  test.each([
    [0, 50, 1],
    [3, 50, 4],
    [3, 29_999, 4],
    // A worker that ran for the stable time starts a fresh count.
    [7, 30_000, 1],
    [7, 3_600_000, 1],
  ])('previous %i, ran %i ms: %i', (previous, ranForMs, expected) => {
    expect(nextFailureCount(previous, ranForMs)).toBe(expected)
  })
})
