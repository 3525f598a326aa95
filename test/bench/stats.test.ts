import { describe, expect, test } from 'bun:test'
import { median, medianDifference, medianRatio, percentile, summarize } from '../../scripts/bench/stats'

describe('percentile (nearest rank)', () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => 100 - i) // unsorted on purpose
  test.each([
    [50, 50],
    [90, 90],
    [99, 99],
    [100, 100],
    [1, 1],
    [0, 1],
  ])('p%d of 1..100 is %d', (p, expected) => {
    expect(percentile(oneToHundred, p)).toBe(expected)
  })

  test.each([
    [[7], 99, 7],
    [[1, 2], 50, 1],
    [[1, 2], 51, 2],
    [[3, 1, 2], 50, 2],
    [[0.5, 0.25, 0.125, 4], 99, 4],
  ])('percentile of %j at p%d is %d', (samples, p, expected) => {
    expect(percentile(samples, p)).toBe(expected)
  })

  test('no samples give NaN, not 0', () => {
    expect(percentile([], 50)).toBeNaN()
  })
})

describe('median of rounds', () => {
  test.each([
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[5], 5],
    [[Number.NaN, 4, 2], 3], // a failed round is left out, not counted as 0
  ])('median of %j is %d', (values, expected) => {
    expect(median(values)).toBe(expected)
  })

  test('all rounds failed is NaN', () => {
    expect(median([Number.NaN, Number.NaN])).toBeNaN()
    expect(median([])).toBeNaN()
  })
})

describe('ratio and difference to a reference, round by round', () => {
  test('pairs round i with round i before taking the median', () => {
    // Ratio of medians would be 200/100 = 2; the per-round ratios are 1, 1, 4: median 1.
    expect(medianRatio([100, 200, 400], [100, 200, 100])).toBe(1)
  })

  test('skips rounds where either side failed or the reference is 0', () => {
    expect(medianRatio([10, Number.NaN, 30, 5], [5, 10, Number.NaN, 0])).toBe(2)
    expect(medianRatio([1], [0])).toBeNaN()
  })

  test('difference keeps its sign', () => {
    expect(medianDifference([1.5, 2.5, 0.5], [1, 1, 1])).toBe(0.5)
    expect(medianDifference([0.9, 0.8, 0.7], [1, 1, 1])).toBeCloseTo(-0.2, 12)
  })
})

test('summarize gives count, mean, percentiles and max', () => {
  expect(summarize([4, 1, 3, 2])).toEqual({ count: 4, mean: 2.5, p50: 2, p90: 4, p99: 4, max: 4 })
  const empty = summarize([])
  expect(empty.count).toBe(0)
  expect(empty.p99).toBeNaN()
})
