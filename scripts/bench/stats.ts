/**
 * The few statistics the benchmark reports. Kept pure and separate so they can be tested:
 * a wrong percentile would silently move every number in the results.
 */

/** Nearest-rank percentile (0 < p <= 100) of unsorted samples; NaN when there are none. */
export function percentile(samples: ArrayLike<number>, p: number): number {
  if (samples.length === 0) return Number.NaN
  const sorted = Float64Array.from(samples).sort()
  return percentileOfSorted(sorted, p)
}

/** Same as `percentile`, for samples already sorted ascending (avoids re-sorting per percentile). */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN
  if (p <= 0) return sorted[0]!
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!
}

/** Median of the values that are numbers; NaN when none is (a lane that failed in every round). */
export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  if (finite.length === 0) return Number.NaN
  const middle = finite.length >> 1
  return finite.length % 2 === 1 ? finite[middle]! : (finite[middle - 1]! + finite[middle]!) / 2
}

/**
 * Ratio of a target to the reference, round by round, then the median of those ratios.
 * Rounds are interleaved, so pairing round i with round i cancels most of the machine's
 * drift (another tenant, thermal state) that a ratio of two medians would keep.
 */
export function medianRatio(values: readonly number[], reference: readonly number[]): number {
  const ratios: number[] = []
  for (let i = 0; i < Math.min(values.length, reference.length); i++) {
    const value = values[i]!
    const base = reference[i]!
    if (Number.isFinite(value) && Number.isFinite(base) && base !== 0) ratios.push(value / base)
  }
  return median(ratios)
}

/** Difference to the reference, round by round, then the median (for "added" latencies). */
export function medianDifference(values: readonly number[], reference: readonly number[]): number {
  const differences: number[] = []
  for (let i = 0; i < Math.min(values.length, reference.length); i++) {
    const value = values[i]!
    const base = reference[i]!
    if (Number.isFinite(value) && Number.isFinite(base)) differences.push(value - base)
  }
  return median(differences)
}

export interface Summary {
  count: number
  mean: number
  p50: number
  p90: number
  p99: number
  max: number
}

/** Count, mean and the usual percentiles of one sample set. */
export function summarize(samples: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(samples).sort()
  let sum = 0
  for (const value of sorted) sum += value
  return {
    count: sorted.length,
    mean: sorted.length === 0 ? Number.NaN : sum / sorted.length,
    p50: percentileOfSorted(sorted, 50),
    p90: percentileOfSorted(sorted, 90),
    p99: percentileOfSorted(sorted, 99),
    max: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1]!,
  }
}
