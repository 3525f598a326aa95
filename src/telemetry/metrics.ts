import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { ExporterStats } from './exporter'
import type { RequestRecord } from './request-record'

export interface GatewayMetrics {
  registry: Registry
  /** Counts one finished request. `pricedModel` is the price table's name or null: label values stay bounded. */
  observe(record: RequestRecord, pricedModel: string | null): void
  requestStarted(): void
  requestEnded(): void
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]

/**
 * The embedded telemetry sink: Prometheus metrics for `/metrics`. Label values come only
 * from the provider registry and the price table (model names outside it are `other`),
 * never from raw client input, so a client cannot explode the series count.
 */
export function createGatewayMetrics(exporterStats: () => ExporterStats | null): GatewayMetrics {
  const registry = new Registry()
  const requests = tallyCounter(registry, 'ai_gateway_requests_total', 'Finished requests', ['provider', 'model', 'status', 'status_code'])
  const latency = new Histogram({ name: 'ai_gateway_request_duration_seconds', help: 'Whole request, stream included', labelNames: ['provider'], buckets: LATENCY_BUCKETS, registers: [registry] })
  const providerLatency = new Histogram({ name: 'ai_gateway_provider_latency_seconds', help: 'Until the upstream response headers', labelNames: ['provider'], buckets: LATENCY_BUCKETS, registers: [registry] })
  const ttft = new Histogram({ name: 'ai_gateway_time_to_first_token_seconds', help: 'Until the first content chunk of a stream', labelNames: ['provider'], buckets: LATENCY_BUCKETS, registers: [registry] })
  const tokens = tallyCounter(registry, 'ai_gateway_tokens_total', 'Tokens by kind (input includes cached input)', ['provider', 'model', 'kind'])
  const cost = tallyCounter(registry, 'ai_gateway_cost_usd_total', 'Cost in USD of priced requests', ['provider', 'model'])
  const unpriced = tallyCounter(registry, 'ai_gateway_unpriced_requests_total', 'Requests whose model has no price (cost recorded as null)', ['provider'])
  const inFlight = new Gauge({ name: 'ai_gateway_requests_in_flight', help: 'Requests being served', registers: [registry] })

  exporterMetrics(registry, exporterStats)

  return {
    registry,
    requestStarted: () => inFlight.inc(),
    requestEnded: () => inFlight.dec(),
    observe(record, pricedModel) {
      const { metadata } = record.attributes
      const provider = record.attributes.provider ?? 'none'
      const model = pricedModel ?? (record.attributes.model === null ? 'none' : 'other')
      requests.inc([provider, model, metadata.status, String(metadata.status_code)])
      latency.observe({ provider }, metadata.latency / 1000)
      if (metadata.provider_latency !== null) providerLatency.observe({ provider }, metadata.provider_latency / 1000)
      if (metadata.ttft_ms !== null) ttft.observe({ provider }, metadata.ttft_ms / 1000)
      for (const kind of ['input', 'output', 'cached_input', 'cache_write_input', 'reasoning'] as const) {
        const value = metadata.tokens[kind]
        if (value) tokens.inc([provider, model, kind], value)
      }
      if (metadata.cost !== null) cost.inc([provider, model], metadata.cost)
      else if (metadata.tokens.input !== null) unpriced.inc([provider])
    },
  }
}

/**
 * A labelled counter tallied in a plain Map and handed to prom-client only when it is scraped:
 * prom-client hashes the label object on every `inc` (2.7 µs a request over the gateway's
 * seven counter calls, scripts/bench/profile.ts); a joined key costs a fraction of that.
 */
function tallyCounter(registry: Registry, name: string, help: string, labelNames: string[]) {
  const tallies = new Map<string, { labels: Record<string, string>; value: number }>()
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset()
      for (const { labels, value } of tallies.values()) this.inc(labels, value)
    },
  })
  return {
    inc(labelValues: string[], value = 1) {
      const key = labelValues.join('\u0000')
      const tally = tallies.get(key)
      if (tally !== undefined) tally.value += value
      else tallies.set(key, { labels: Object.fromEntries(labelNames.map((label, i) => [label, labelValues[i]!])), value })
    },
  }
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
  counter('ai_gateway_telemetry_exported_total', 'Records acknowledged by Elasticsearch', (s) => s.exported)
  counter('ai_gateway_telemetry_retried_total', 'Records sent again after a failed attempt', (s) => s.retried)
  counter('ai_gateway_telemetry_dropped_total', 'Records dropped: buffer full, or undelivered at the shutdown deadline', (s) => s.dropped)
  counter('ai_gateway_telemetry_failed_total', 'Records refused for good by Elasticsearch', (s) => s.failed)
}
