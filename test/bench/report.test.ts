import { describe, expect, test } from 'bun:test'
import { checks, Results, type Row } from '../../scripts/bench/report'

const lane = (laneId: string, target: string, values: number[], metric: string): Row[] =>
  values.map((value, round) => ({ lane: laneId, target, round, metrics: { [metric]: value } }))

describe('Results', () => {
  test('the largest clean capacity step stops at the first stalled one', () => {
    const results = new Results(
      [
        { lane: 'capacity-250', target: 'g', round: 0, metrics: { ok: 1, peakRssMb: 100 } },
        { lane: 'capacity-500', target: 'g', round: 0, metrics: { ok: 1, peakRssMb: 150 } },
        { lane: 'capacity-1000', target: 'g', round: 0, metrics: { ok: 0, peakRssMb: 180 } },
        { lane: 'capacity-2000', target: 'g', round: 0, metrics: { ok: 1, peakRssMb: 300 } },
      ],
      1,
    )
    expect(results.maxStreams('g')).toBe(500)
    // RSS "under load" is read at the 1,000 step, not at a larger one.
    expect(results.rssUnderLoadMb('g')).toBe(180)
  })

  test('a round that failed counts as missing, not as zero', () => {
    const rows: Row[] = [...lane('json-c32', 'g', [10, 30], 'rps'), { lane: 'json-c32', target: 'g', round: 2, error: 'boom' }]
    const results = new Results(rows, 3)
    expect(results.series('json-c32', 'g', 'rps')).toEqual([10, 30, Number.NaN])
    expect(results.median('json-c32', 'g', 'rps')).toBe(20)
    expect(results.error('json-c32', 'g')).toBe('boom')
  })
})

describe('checks against the passthrough', () => {
  const rows: Row[] = [
    ...lane('json-c32', 'passthrough', [10, 10, 10], 'cpuUsPerRequest'),
    ...lane('json-c32', 'gateway', [11, 11.4, 12], 'cpuUsPerRequest'),
    ...lane('paced', 'direct', [0.5, 0.5, 0.5], 'ttfbP99'),
    ...lane('paced', 'passthrough', [0.9, 1.1, 0.9], 'ttfbP99'),
    ...lane('paced', 'gateway', [1.4, 1.6, 1.5], 'ttfbP99'),
  ]
  for (const row of rows) {
    if (row.lane === 'json-c32') row.metrics!.rps = row.target === 'gateway' ? 80 : 100
    if (row.lane === 'paced') Object.assign(row.metrics!, { gapP50: 20, gapP99: 21 })
  }
  const results = new Results(rows, 3)
  const byTitle = Object.fromEntries(checks(results, 'gateway', ['json-c32', 'paced'], 60_000).map((c) => [c.title, c]))

  test.each([
    ['CPU per request, json-c32', 1.14, true],
    ['throughput, json-c32', 0.8, false],
    // Round by round over the passthrough (not the direct target): 0.5, 0.5, 0.6.
    ['TTFB p99 over the passthrough (ms, paced)', 0.5, true],
  ])('%s is %d: PASS %p', (title, value, pass) => {
    expect(byTitle[title]!.value).toBeCloseTo(value, 10)
    expect(byTitle[title]!.pass).toBe(pass)
  })

  test('a check without numbers is a MISS, never a PASS', () => {
    const empty = checks(new Results([], 3), 'gateway', ['json-c32'], 60_000)
    expect(empty.length).toBeGreaterThan(0)
    expect(empty.every((c) => !c.pass)).toBe(true)
  })
})
