import { Counter, Gauge, Registry } from './prometheus'
import type { ExporterStats } from './exporter'
import type { TokenCounts } from './request-record'
import type { FinishedRequest } from './request-telemetry'

export interface GatewayMetrics {
  registry: Registry
  /** Counts one finished request. Its model label is the price table's name or `other`: label values stay bounded. */
  observe(finished: FinishedRequest): void
  requestStarted(): void
  requestEnded(): void
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]
const TOKEN_KINDS = ['input', 'output', 'cached_input', 'cache_write_input', 'reasoning'] as const satisfies ReadonlyArray<keyof TokenCounts>

/** What is counted for one provider and model label pair. */
interface ModelSeries {
  labels: { provider: string; model: string }
  /** By `status_code * 2 + (error ? 1 : 0)`. */
  requests: Map<number, number>
  tokens: number[]
  cost: number
  pricedRequests: number
}

/** What is timed for one provider. */
interface ProviderSeries {
  latency: Buckets
  providerLatency: Buckets
  ttft: Buckets
  unpriced: number
}

/**
 * The embedded telemetry sink: Prometheus metrics for `/metrics`. Label values come only
 * from the provider registry and the price table (model names outside it are `other`),
 * never from raw client input, so a client cannot explode the series count.
 *
 * A request is tallied in plain objects found by two map lookups, and prom-client sees the
 * tallies only when `/metrics` is scraped: prom-client hashes a label object on every call,
 * which cost 4 µs a request over the gateway's ten calls (scripts/bench/profile.ts).
 */
export function createGatewayMetrics(exporterStats: () => ExporterStats | null): GatewayMetrics {
  const registry = new Registry()
  const byProvider = new Map<string, { series: ProviderSeries; models: Map<string, ModelSeries> }>()
  let inFlight = 0

  function entryFor(provider: string) {
    let entry = byProvider.get(provider)
    if (entry === undefined) {
      entry = { series: { latency: new Buckets(), providerLatency: new Buckets(), ttft: new Buckets(), unpriced: 0 }, models: new Map() }
      byProvider.set(provider, entry)
    }
    return entry
  }

  function modelSeries(models: Map<string, ModelSeries>, provider: string, model: string): ModelSeries {
    let series = models.get(model)
    if (series === undefined) {
      series = { labels: { provider, model }, requests: new Map(), tokens: TOKEN_KINDS.map(() => 0), cost: 0, pricedRequests: 0 }
      models.set(model, series)
    }
    return series
  }

  const allModels = function* () {
    for (const { models } of byProvider.values()) yield* models.values()
  }

  tallied(registry, 'ai_gateway_requests_total', 'Finished requests', ['provider', 'model', 'status', 'status_code'], function* () {
    for (const series of allModels()) {
      for (const [key, value] of series.requests) {
        yield [{ ...series.labels, status: key % 2 === 1 ? 'error' : 'success', status_code: String(Math.floor(key / 2)) }, value]
      }
    }
  })
  histogram(registry, 'ai_gateway_request_duration_seconds', 'Whole request, stream included', byProvider, (s) => s.latency)
  histogram(registry, 'ai_gateway_provider_latency_seconds', 'Until the upstream response headers', byProvider, (s) => s.providerLatency)
  histogram(registry, 'ai_gateway_time_to_first_token_seconds', 'Until the first content chunk of a stream', byProvider, (s) => s.ttft)
  tallied(registry, 'ai_gateway_tokens_total', 'Tokens by kind (input includes cached input)', ['provider', 'model', 'kind'], function* () {
    for (const series of allModels()) {
      for (let i = 0; i < TOKEN_KINDS.length; i++) if (series.tokens[i]! > 0) yield [{ ...series.labels, kind: TOKEN_KINDS[i]! }, series.tokens[i]!]
    }
  })
  tallied(registry, 'ai_gateway_cost_usd_total', 'Cost in USD of priced requests', ['provider', 'model'], function* () {
    for (const series of allModels()) if (series.pricedRequests > 0) yield [series.labels, series.cost]
  })
  tallied(registry, 'ai_gateway_unpriced_requests_total', 'Requests whose model has no price (cost recorded as null)', ['provider'], function* () {
    for (const [provider, { series }] of byProvider) if (series.unpriced > 0) yield [{ provider }, series.unpriced]
  })
  new Gauge({
    name: 'ai_gateway_requests_in_flight',
    help: 'Requests being served',
    registers: [registry],
    collect() {
      this.set(inFlight)
    },
  })

  exporterMetrics(registry, exporterStats)

  return {
    registry,
    requestStarted: () => void inFlight++,
    requestEnded: () => void inFlight--,
    observe({ provider, model, pricedModel, statusCode, isError, latencyMs, providerLatencyMs, ttftMs, tokens, cost }) {
      const { series: timing, models } = entryFor(provider ?? 'none')
      const series = modelSeries(models, provider ?? 'none', pricedModel ?? (model === null ? 'none' : 'other'))
      const requestKey = statusCode * 2 + (isError ? 1 : 0)
      series.requests.set(requestKey, (series.requests.get(requestKey) ?? 0) + 1)
      timing.latency.observe(latencyMs / 1000)
      if (providerLatencyMs !== null) timing.providerLatency.observe(providerLatencyMs / 1000)
      if (ttftMs !== null) timing.ttft.observe(ttftMs / 1000)
      for (let i = 0; i < TOKEN_KINDS.length; i++) series.tokens[i]! += tokens[TOKEN_KINDS[i]!] ?? 0
      if (cost !== null) {
        series.cost += cost
        series.pricedRequests++
      } else if (tokens.input !== null) timing.unpriced++
    },
  }
}

/** A histogram's counts per bucket (not cumulative), its sum and its count. */
class Buckets {
  readonly counts = new Float64Array(LATENCY_BUCKETS.length)
  sum = 0
  count = 0

  observe(value: number): void {
    this.sum += value
    this.count++
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
      if (value <= LATENCY_BUCKETS[i]!) {
        this.counts[i]!++
        return
      }
    }
  }
}

type Labels = Record<string, string>

/** A counter whose values are read from tallies when scraped. */
function tallied(registry: Registry, name: string, help: string, labelNames: string[], read: () => Iterable<[Labels, number]>) {
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset()
      for (const [labels, value] of read()) this.inc(labels, value)
    },
  })
}

/**
 * A histogram by provider, read from its Buckets when scraped. prom-client's own Histogram
 * can only be fed one observation at a time, so this hands the registry a metric in the
 * shape its `get()` returns, and prom-client still writes the exposition text.
 */
function histogram(registry: Registry, name: string, help: string, byProvider: Map<string, { series: ProviderSeries }>, pick: (series: ProviderSeries) => Buckets) {
  registry.registerMetric({
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    get() {
      const values: Array<{ labels: Labels; value: number; metricName: string }> = []
      for (const [provider, { series }] of byProvider) {
        const buckets = pick(series)
        if (buckets.count === 0) continue
        let cumulative = 0
        for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
          cumulative += buckets.counts[i]!
          values.push({ labels: { le: String(LATENCY_BUCKETS[i]), provider }, value: cumulative, metricName: `${name}_bucket` })
        }
        values.push({ labels: { le: '+Inf', provider }, value: buckets.count, metricName: `${name}_bucket` })
        values.push({ labels: { provider }, value: buckets.sum, metricName: `${name}_sum` })
        values.push({ labels: { provider }, value: buckets.count, metricName: `${name}_count` })
      }
      return { name, help, type: 'histogram', values, aggregator: 'sum' }
    },
  } as unknown as Parameters<Registry['registerMetric']>[0])
}

/** Exporter counters read from its stats at scrape time. */
function exporterMetrics(registry: Registry, stats: () => ExporterStats | null) {
  const gauge = (name: string, help: string, read: (s: ExporterStats) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const current = stats()
        this.set(current === null ? 0 : read(current))
      },
    })
  const counter = (name: string, help: string, read: (s: ExporterStats) => number) => {
    let reported = 0
    return new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        const current = stats()
        const value = current === null ? 0 : read(current)
        if (value > reported) this.inc(value - reported)
        reported = value
      },
    })
  }
  gauge('ai_gateway_telemetry_queue_depth', 'Records waiting for Elasticsearch, in flight included', (s) => s.queued)
  gauge('ai_gateway_telemetry_queue_capacity', 'Capacity of the telemetry buffer', (s) => s.capacity)
  gauge('ai_gateway_telemetry_queue_bytes', 'What the records waiting for Elasticsearch weigh, in flight included', (s) => s.queuedBytes)
  counter('ai_gateway_telemetry_exported_total', 'Records acknowledged by Elasticsearch', (s) => s.exported)
  counter('ai_gateway_telemetry_retried_total', 'Records sent again after a failed attempt', (s) => s.retried)
  counter('ai_gateway_telemetry_dropped_total', 'Records dropped: buffer full, or undelivered at the shutdown deadline', (s) => s.dropped)
  counter('ai_gateway_telemetry_failed_total', 'Records refused for good by Elasticsearch', (s) => s.failed)
}
