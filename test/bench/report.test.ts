import { describe, expect, test } from 'bun:test'
import { checks, Results, resultsTable, type Row } from '../../scripts/bench/report'

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

  test('a capacity step run in several rounds: its RSS is their median, and one stalled round makes it unclean', () => {
    const step = (lane: string, round: number, ok: number, peakRssMb: number): Row => ({ lane, target: 'g', round, metrics: { ok, peakRssMb } })
    // Median 160: neither the first round's nor the last's.
    const results = new Results([step('capacity-1000', 0, 1, 210), step('capacity-1000', 1, 1, 160), step('capacity-1000', 2, 1, 150), step('capacity-2000', 2, 1, 260)], 3)
    expect(results.rssUnderLoadMb('g')).toBe(160)
    expect(results.maxStreams('g')).toBe(2000)

    // Stalled at 1,000 in the second round: 1,000 is not clean, and neither is anything after it.
    const onceStalled = new Results([step('capacity-500', 0, 1, 100), step('capacity-1000', 0, 1, 150), step('capacity-500', 1, 1, 100), step('capacity-1000', 1, 0, 150)], 2)
    expect(onceStalled.maxStreams('g')).toBe(500)
    expect(onceStalled.steps('g').map((s) => `${s.streams} ${s.status}`)).toEqual(['500 clean', '1000 stalled'])
  })

  test('a step that ran clean, but not in every round, is skipped, not clean', () => {
    const step = (lane: string, round: number, ok: number): Row => ({ lane, target: 'g', round, metrics: { ok, peakRssMb: 100 } })
    // Round 1 clean up to 1,000; round 2 stalled at 500, so its 1,000 step never ran.
    const results = new Results([step('capacity-500', 0, 1), step('capacity-1000', 0, 1), step('capacity-500', 1, 0)], 2)
    expect(results.steps('g').map((s) => `${s.streams} ${s.status}`)).toEqual(['500 stalled', '1000 skipped'])
    expect(results.maxStreams('g')).toBe(0)
    expect(resultsTable(results, ['g'], ['capacity'])).toContain('500✗ 1000–')
  })

  test('a step clean only on its second try is marked so; RSS is judged only when the 1,000 step itself ran', () => {
    const retried = new Results([{ lane: 'capacity-1000', target: 'g', round: 0, metrics: { ok: 1, attempts: 2, peakRssMb: 150 } }], 1)
    expect(resultsTable(retried, ['g'], ['capacity'])).toContain('1000✓²')
    const without1000 = new Results(['capacity-500', 'capacity-2000'].map((lane) => ({ lane, target: 'g', round: 0, metrics: { ok: 1, peakRssMb: 90 } })), 1)
    const rss = checks(without1000, 'g', ['capacity'], 60_000).find((c) => c.title.startsWith('RSS at'))!
    expect(rss.value).toBeNaN()
    expect(rss.pass).toBe(false)
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
    ...lane('paced', 'direct', [0.3, 0.3, 0.3], 'gapJitter'),
    ...lane('paced', 'passthrough', [0.2, 0.2, 0.2], 'gapJitter'),
    ...lane('paced', 'gateway', [0.35, 0.35, 0.35], 'gapJitter'),
  ]
  // Times to first byte in µs: the passthrough's are all 1,000; the gateway's rounds hold
  // 1,001..1,100, 1,101..1,200 and 1,201..1,300. Pooled, the p99 is the 297th of 300: 1,297.
  // Per round it would be 1,099, 1,199 and 1,299, with a median of 1,199.
  const ttfbUs: Record<string, (round: number) => number[]> = {
    direct: () => Array(100).fill(500),
    passthrough: () => Array(100).fill(1000),
    gateway: (round) => Array.from({ length: 100 }, (_, i) => 1001 + round * 100 + i),
  }
  for (const row of rows) {
    if (row.lane === 'json-c32') row.metrics!.rps = row.target === 'gateway' ? 80 : 100
    if (row.lane === 'paced') {
      row.metrics!.gapP99 = { direct: 21, passthrough: 21.2, gateway: 21.6 }[row.target]!
      row.samples = { ttfbUs: ttfbUs[row.target]!(row.round) }
    }
  }
  const results = new Results(rows, 3)
  const byTitle = Object.fromEntries(checks(results, 'gateway', ['json-c32', 'paced'], 60_000).map((c) => [c.title, c]))

  test.each([
    ['CPU per request, json-c32', 1.14, true],
    ['throughput, json-c32', 0.8, false],
    // Every round's streams pooled, over the passthrough (not the direct target): 1.297 − 1.000.
    ['TTFB p99 over the passthrough (ms, paced)', 0.297, true],
    // Gaps too are judged over the passthrough: over the direct target the jitter would read +0.05, a PASS.
    ['inter-chunk gap jitter over the passthrough (ms)', 0.15, false],
    ['inter-chunk gap over the passthrough, p99 (ms)', 0.4, true],
  ])('%s is %d: PASS %p', (title, value, pass) => {
    expect(byTitle[title]!.value).toBeCloseTo(value, 10)
    expect(byTitle[title]!.pass).toBe(pass)
  })

  test('the paced time to first byte is read from every round pooled', () => {
    expect(results.pooledTtfb('paced', 'gateway', 99)).toBe(1.297)
    expect(results.pooledTtfb('paced', 'gateway', 50)).toBe(1.15)
    expect(results.pooledTtfb('paced', 'nobody', 99)).toBeNaN()
  })

  test('a check without numbers is a MISS, never a PASS', () => {
    const empty = checks(new Results([], 3), 'gateway', ['json-c32'], 60_000)
    expect(empty.length).toBeGreaterThan(0)
    expect(empty.every((c) => !c.pass)).toBe(true)
  })
})
