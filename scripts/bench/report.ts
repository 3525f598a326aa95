/**
 * From raw rounds to the published tables: medians of interleaved rounds, ratios to the Bun
 * passthrough measured in the same run, differences to the direct baseline, each target
 * of issue 7 as PASS or MISS, and the scaling of WORKERS=2 over one process (report only).
 */
import type { Samples } from './lanes'
import { median, medianDifference, medianRatio, percentile } from './stats'
import { BASELINE, REFERENCE } from './targets'

export interface Row {
  lane: string
  target: string
  round: number
  metrics?: Record<string, number>
  samples?: Samples
  error?: string
}

export interface Check {
  target: string
  title: string
  value: number
  bound: string
  pass: boolean
}

const CAPACITY = /^capacity-(\d+)$/
export const LOAD_STEP = 1000
const STEP_MARK = { clean: '✓', stalled: '✗', skipped: '–' }

export class Results {
  constructor(
    readonly rows: Row[],
    readonly rounds: number,
  ) {}

  series(lane: string, target: string, metric: string): number[] {
    const values = Array.from({ length: this.rounds }, () => Number.NaN)
    for (const row of this.rows) {
      if (row.lane === lane && row.target === target) values[row.round] = row.metrics?.[metric] ?? Number.NaN
    }
    return values
  }

  median(lane: string, target: string, metric: string): number {
    return median(this.series(lane, target, metric))
  }

  ratio(lane: string, target: string, metric: string, reference = REFERENCE): number {
    return medianRatio(this.series(lane, target, metric), this.series(lane, reference, metric))
  }

  added(lane: string, target: string, metric: string, baseline = BASELINE): number {
    return medianDifference(this.series(lane, target, metric), this.series(lane, baseline, metric))
  }

  /**
   * A percentile of the time to first byte over every round's streams pooled, in ms. One
   * paced round holds ~400 streams, so its p99 rests on 4 of them and moved by tenths of a
   * millisecond between identical runs; three rounds pooled put it on 12.
   */
  pooledTtfb(lane: string, target: string, p: number): number {
    const samples = this.rows.filter((row) => row.lane === lane && row.target === target).flatMap((row) => row.samples?.ttfbUs ?? [])
    return percentile(samples, p) / 1000
  }

  error(lane: string, target: string): string | undefined {
    return this.rows.find((row) => row.lane === lane && row.target === target && row.error !== undefined)?.error
  }

  /**
   * Capacity steps that ran for a target, in order. A step up to LOAD_STEP is scheduled in every
   * round, a larger one once: `clean` if clean every time it was scheduled, `stalled` if it stalled
   * once, `skipped` if it ran clean but not every time (the target stalled at a smaller step in a
   * later round). Its peak RSS is the median of the rounds it ran.
   */
  steps(target: string): { streams: number; status: 'clean' | 'stalled' | 'skipped'; retried: boolean; peakRssMb: number }[] {
    const byStreams = new Map<number, Row[]>()
    for (const row of this.rows) {
      const match = row.target === target ? row.lane.match(CAPACITY) : null
      if (match === null) continue
      const streams = Number(match[1])
      byStreams.set(streams, [...(byStreams.get(streams) ?? []), row])
    }
    return [...byStreams]
      .map(([streams, rows]) => {
        const scheduled = streams <= LOAD_STEP ? this.rounds : 1
        const status = rows.some((row) => row.metrics?.ok !== 1) ? 'stalled' : rows.length < scheduled ? 'skipped' : 'clean'
        // A step that stalled once and ran clean when tried again (run.ts) says so in the table.
        const retried = rows.some((row) => row.metrics?.attempts === 2)
        return { streams, status, retried, peakRssMb: median(rows.map((row) => row.metrics?.peakRssMb ?? Number.NaN)) } as const
      })
      .sort((a, b) => a.streams - b.streams)
  }

  maxStreams(target: string): number {
    let best = 0
    for (const step of this.steps(target)) {
      if (step.status !== 'clean') break
      best = step.streams
    }
    return best
  }

  /** Peak RSS at the LOAD_STEP step (median of its rounds, stalled ones included), or at the largest step that ran below it. */
  rssUnderLoadMb(target: string): number {
    const steps = this.steps(target).filter((step) => step.streams <= LOAD_STEP)
    return steps.at(-1)?.peakRssMb ?? Number.NaN
  }
}

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '–')
const thousands = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–')
const times = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}x` : '–')
const signed = (value: number, digits: number) => (Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${value.toFixed(digits)}` : '–')

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map((_, i) => (i < 2 ? '---' : '---:'))), ...rows.map(line)].join('\n')
}

export function resultsTable(results: Results, targets: string[], lanes: string[]): string {
  const rows: string[][] = []
  const cell = (lane: string, target: string, render: () => string) => (results.error(lane, target) !== undefined ? 'ERR' : render())
  const add = (lane: string, label: string, render: (target: string) => string) => rows.push([lane, label, ...targets.map((t) => cell(lane, t, () => render(t)))])
  const versusReference = (lane: string, metric: string, format: (v: number) => string) => (target: string) => {
    const value = format(results.median(lane, target, metric))
    return target === REFERENCE || target === BASELINE ? value : `${value} (${times(results.ratio(lane, target, metric))})`
  }

  for (const lane of lanes) {
    if (lane === 'json-c1') {
      add(lane, 'p50 / p99 ms', (t) => `${fixed(results.median(lane, t, 'p50'), 3)} / ${fixed(results.median(lane, t, 'p99'), 3)}`)
      add(lane, 'added p99 ms', (t) => (t === BASELINE ? '' : signed(results.added(lane, t, 'p99'), 3)))
      add(lane, 'p99 − passthrough ms', (t) => (t === BASELINE || t === REFERENCE ? '' : signed(results.added(lane, t, 'p99', REFERENCE), 3)))
    } else if (lane.startsWith('json-') || lane.startsWith('stream-')) {
      add(lane, 'req/s', versusReference(lane, 'rps', thousands))
      add(lane, 'p50 / p99 ms', (t) => `${fixed(results.median(lane, t, 'p50'), 2)} / ${fixed(results.median(lane, t, 'p99'), 2)}`)
      add(lane, 'CPU µs/request', versusReference(lane, 'cpuUsPerRequest', (v) => fixed(v, 1)))
    } else if (lane === 'paced') {
      const ttfb99 = (t: string) => results.pooledTtfb(lane, t, 99)
      add(lane, 'TTFB p50 / p99 ms (rounds pooled)', (t) => `${fixed(results.pooledTtfb(lane, t, 50), 3)} / ${fixed(ttfb99(t), 3)}`)
      add(lane, 'added TTFB p99 ms', (t) => (t === BASELINE ? '' : signed(ttfb99(t) - ttfb99(BASELINE), 3)))
      add(lane, 'TTFB p99 − passthrough ms', (t) => (t === BASELINE || t === REFERENCE ? '' : signed(ttfb99(t) - ttfb99(REFERENCE), 3)))
      add(lane, 'gap mean / p50 / p99 / jitter ms', (t) => ['gapMean', 'gapP50', 'gapP99', 'gapJitter'].map((m) => fixed(results.median(lane, t, m), 3)).join(' / '))
      const overPassthrough = (t: string, metric: string) => signed(results.added(lane, t, metric, REFERENCE), 3)
      add(lane, 'gap jitter / p99 − passthrough ms', (t) => (t === BASELINE || t === REFERENCE ? '' : `${overPassthrough(t, 'gapJitter')} / ${overPassthrough(t, 'gapP99')}`))
    } else if (lane === 'capacity') {
      rows.push([lane, 'paced streams: clean steps (² clean on a second try)', ...targets.map((t) => results.steps(t).map((s) => `${s.streams}${STEP_MARK[s.status]}${s.retried && s.status === 'clean' ? '²' : ''}`).join(' ') || '–')])
      rows.push([lane, `peak RSS MB at ≤${LOAD_STEP} streams`, ...targets.map((t) => fixed(results.rssUnderLoadMb(t), 0))])
    } else if (lane === 'memory') {
      add(lane, 'RSS MB start / idle / after', (t) =>
        ['rssStartMb', 'rssIdleMb', 'rssAfterMb'].map((m) => fixed(results.median('memory', t, m), 0)).join(' / '),
      )
    }
  }
  return table(['lane', 'metric', ...targets], rows)
}

/** The targets of issue 7, for one gateway target against the passthrough of the same run. */
export function checks(results: Results, target: string, lanes: string[], settleMs: number): Check[] {
  const out: Check[] = []
  const ran = (lane: string) => lanes.includes(lane) && results.error(lane, target) === undefined
  const push = (title: string, value: number, bound: string, pass: boolean) => out.push({ target, title, value, bound, pass: Number.isFinite(value) && pass })
  for (const lane of ['json-c32', 'json-c128', 'stream-c32', 'stream-c128']) {
    if (!lanes.includes(lane)) continue
    const limit = lane.startsWith('json') ? 1.15 : 1.25
    const cpu = ran(lane) ? results.ratio(lane, target, 'cpuUsPerRequest') : Number.NaN
    push(`CPU per request, ${lane}`, cpu, `≤ ${limit}x`, cpu <= limit)
    const rps = ran(lane) ? results.ratio(lane, target, 'rps') : Number.NaN
    push(`throughput, ${lane}`, rps, '≥ 0.85x', rps >= 0.85)
  }
  if (lanes.includes('paced')) {
    // The issue bounds the time to first byte the gateway adds over the passthrough.
    const ttfb = ran('paced') ? results.pooledTtfb('paced', target, 99) - results.pooledTtfb('paced', REFERENCE, 99) : Number.NaN
    push('TTFB p99 over the passthrough (ms, paced)', ttfb, '≤ 0.5 ms', ttfb <= 0.5)
    // Jitter (mean |gap − pace|), not the gaps' median: the mock paces on a 1 ms timer, so gaps
    // fall in clusters a millisecond apart and their median jumped by up to 0.4 ms between rounds
    // of one target; nor their mean, which is the stream's length over its gaps whatever a target
    // does to the chunks in between.
    const jitter = ran('paced') ? results.added('paced', target, 'gapJitter', REFERENCE) : Number.NaN
    push('inter-chunk gap jitter over the passthrough (ms)', jitter, '≤ 0.1 ms', jitter <= 0.1)
    const gap99 = ran('paced') ? results.added('paced', target, 'gapP99', REFERENCE) : Number.NaN
    push('inter-chunk gap over the passthrough, p99 (ms)', gap99, '≤ 0.5 ms', gap99 <= 0.5)
  }
  if (lanes.includes('capacity')) {
    const streams = results.maxStreams(target)
    push('concurrent paced streams, no stall', streams, `≥ ${LOAD_STEP}`, streams >= LOAD_STEP)
    // Only a run whose steps include LOAD_STEP itself measured RSS there.
    const rss = results.steps(target).some((step) => step.streams === LOAD_STEP) ? results.rssUnderLoadMb(target) : Number.NaN
    push(`RSS at ${LOAD_STEP} streams (MB)`, rss, '≤ 200', rss <= 200 && streams >= LOAD_STEP)
  }
  if (lanes.includes('memory')) {
    const growth = results.median('memory', target, 'rssAfterMb') / results.median('memory', target, 'rssIdleMb')
    push(`RSS ${Math.round(settleMs / 1000)} s after load / idle`, growth, '≤ 1.15x', growth <= 1.15)
  }
  return out
}

export function checksTable(all: Check[]): string {
  const value = (check: Check) => (Number.isInteger(check.value) && Math.abs(check.value) >= 10 ? String(check.value) : fixed(check.value, 3))
  return table(
    ['target', 'check', 'value', 'bound', 'result'],
    all.map((check) => [check.target, check.title, value(check), check.bound, check.pass ? 'PASS' : 'MISS']),
  )
}

export interface Scaling {
  target: string
  /** The target it is compared with, in the same run. */
  base: string
  label: string
}

/**
 * Throughput and CPU per request of each scaling target over its base, round by round, in the
 * concurrent request lanes. No bound and no PASS/MISS: the load generator shares the cores.
 */
export function scalingTable(results: Results, scalings: Scaling[], lanes: string[]): string {
  const concurrent = lanes.filter((lane) => /^(json|stream)-c\d+$/.test(lane) && lane !== 'json-c1')
  const rows = scalings.flatMap(({ target, base, label }) =>
    concurrent.map((lane) => {
      const what = `${label}: ${target} / ${base}`
      if (results.error(lane, target) !== undefined || results.error(lane, base) !== undefined) return [what, lane, 'ERR', 'ERR', 'ERR']
      const rps = `${thousands(results.median(lane, target, 'rps'))} / ${thousands(results.median(lane, base, 'rps'))}`
      return [what, lane, rps, times(results.ratio(lane, target, 'rps', base)), times(results.ratio(lane, target, 'cpuUsPerRequest', base))]
    }),
  )
  return table(['scaling (report only, no bound)', 'lane', 'req/s', 'throughput', 'CPU µs/request'], rows)
}
