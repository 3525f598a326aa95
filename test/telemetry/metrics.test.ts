import { describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import type { ExporterStats } from '../../src/telemetry/exporter'
import { createGatewayMetrics } from '../../src/telemetry/metrics'
import type { RecordMetadata } from '../../src/telemetry/request-record'
import type { FinishedRequest } from '../../src/telemetry/request-telemetry'
import { modulesLoaded } from '../support/modules-loaded'
import { sampleRecord } from '../support/sample-record'

interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** The Prometheus text format, one sample per line (comments skipped). */
function parseSamples(text: string): Sample[] {
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (match === null) throw new Error(`not a sample line: ${line}`)
    const labels: Record<string, string> = {}
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!
    samples.push({ name: match[1]!, labels, value: Number(match[3]) })
  }
  return samples
}

function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const keys = Object.keys(labels)
  const found = samples.filter((s) => s.name === name && Object.keys(s.labels).length === keys.length && keys.every((k) => s.labels[k] === labels[k]))
  if (found.length > 1) throw new Error(`several samples for ${name} ${JSON.stringify(labels)}`)
  return found[0]?.value
}

/** A finished request as the metrics see it, with the same facts as the sample document it carries. */
function finished(attributes: { provider: string | null; model: string | null }, metadata: Partial<RecordMetadata>, pricedModel: string | null): FinishedRequest {
  const document = sampleRecord({ attributes, metadata })
  const m = document.attributes.metadata
  return {
    id: document.attributes.id,
    provider: attributes.provider,
    model: attributes.model,
    pricedModel,
    statusCode: m.status_code,
    isError: m.status === 'error',
    latencyMs: m.latency,
    providerLatencyMs: m.provider_latency,
    ttftMs: m.ttft_ms,
    tokens: m.tokens,
    cost: m.cost,
    document: () => document,
  }
}

describe('createGatewayMetrics', () => {
  test('finished requests become request, latency, token and cost series', async () => {
    const metrics = createGatewayMetrics(() => null)
    const tokens = { input: 1200, output: 300, total: 1500, cached_input: 1024, cache_write_input: null, reasoning: 0 }
    metrics.observe(finished({ provider: 'openai', model: 'gpt-4o-2024-08-06' }, { latency: 1500, provider_latency: 200, ttft_ms: 300, tokens, cost: 0.00472, stream: true }, 'gpt-4o'))
    metrics.observe(finished({ provider: 'openai', model: 'gpt-4o-2024-08-06' }, { latency: 40, provider_latency: 30, tokens, cost: 0.00472 }, 'gpt-4o'))
    metrics.observe(finished({ provider: 'openai', model: 'gpt-4o' }, { latency: 10, status: 'error', status_code: 401, provider_status_code: 401 }, 'gpt-4o'))
    metrics.observe(finished({ provider: 'anthropic', model: 'claude-sonnet-4-5-20250929' }, { latency: 2000, tokens: { input: 2572, output: 89, total: 2661, cached_input: 2000, cache_write_input: 100, reasoning: null }, cost: 0.003726 }, 'claude-sonnet-4-5'))
    const s = parseSamples(await metrics.registry.metrics())

    expect(valueOf(s, 'ai_gateway_requests_total', { provider: 'openai', model: 'gpt-4o', status: 'success', status_code: '200' })).toBe(2)
    expect(valueOf(s, 'ai_gateway_requests_total', { provider: 'openai', model: 'gpt-4o', status: 'error', status_code: '401' })).toBe(1)
    expect(valueOf(s, 'ai_gateway_requests_total', { provider: 'anthropic', model: 'claude-sonnet-4-5', status: 'success', status_code: '200' })).toBe(1)

    expect(valueOf(s, 'ai_gateway_tokens_total', { provider: 'openai', model: 'gpt-4o', kind: 'input' })).toBe(2400)
    expect(valueOf(s, 'ai_gateway_tokens_total', { provider: 'openai', model: 'gpt-4o', kind: 'output' })).toBe(600)
    expect(valueOf(s, 'ai_gateway_tokens_total', { provider: 'openai', model: 'gpt-4o', kind: 'cached_input' })).toBe(2048)
    expect(valueOf(s, 'ai_gateway_tokens_total', { provider: 'openai', model: 'gpt-4o', kind: 'reasoning' })).toBeUndefined() // zero: no series
    expect(valueOf(s, 'ai_gateway_tokens_total', { provider: 'anthropic', model: 'claude-sonnet-4-5', kind: 'cache_write_input' })).toBe(100)
    expect(valueOf(s, 'ai_gateway_cost_usd_total', { provider: 'openai', model: 'gpt-4o' })).toBeCloseTo(0.00944, 12)
    expect(valueOf(s, 'ai_gateway_cost_usd_total', { provider: 'anthropic', model: 'claude-sonnet-4-5' })).toBeCloseTo(0.003726, 12)

    // Histograms in seconds: 1.5 s and 0.04 s for openai.
    expect(valueOf(s, 'ai_gateway_request_duration_seconds_count', { provider: 'openai' })).toBe(3)
    expect(valueOf(s, 'ai_gateway_request_duration_seconds_sum', { provider: 'openai' })).toBeCloseTo(1.55, 9)
    expect(valueOf(s, 'ai_gateway_request_duration_seconds_bucket', { provider: 'openai', le: '0.05' })).toBe(2)
    expect(valueOf(s, 'ai_gateway_request_duration_seconds_bucket', { provider: 'openai', le: '2.5' })).toBe(3)
    expect(valueOf(s, 'ai_gateway_provider_latency_seconds_count', { provider: 'openai' })).toBe(2)
    expect(valueOf(s, 'ai_gateway_provider_latency_seconds_sum', { provider: 'openai' })).toBeCloseTo(0.23, 9)
    expect(valueOf(s, 'ai_gateway_time_to_first_token_seconds_count', { provider: 'openai' })).toBe(1)
    expect(valueOf(s, 'ai_gateway_time_to_first_token_seconds_sum', { provider: 'openai' })).toBeCloseTo(0.3, 9)
    expect(valueOf(s, 'ai_gateway_time_to_first_token_seconds_count', { provider: 'anthropic' })).toBeUndefined()
  })

  test('a model name the price table does not know never becomes a label value', async () => {
    const metrics = createGatewayMetrics(() => null)
    const evil = 'my-model"} 1\nfake_series{a="b'
    metrics.observe(finished({ provider: 'openai', model: evil }, { tokens: { input: 10, output: 5, total: 15, cached_input: null, cache_write_input: null, reasoning: null } }, null))
    metrics.observe(finished({ provider: 'openai', model: 'unpriced-2' }, {}, null))
    metrics.observe(finished({ provider: null, model: null }, { status: 'error', status_code: 400 }, null))
    const text = await metrics.registry.metrics()
    expect(text).not.toContain('my-model')
    expect(text).not.toContain('unpriced-2')
    expect(text).not.toContain('fake_series')
    const s = parseSamples(text)
    expect(valueOf(s, 'ai_gateway_requests_total', { provider: 'openai', model: 'other', status: 'success', status_code: '200' })).toBe(2)
    expect(valueOf(s, 'ai_gateway_tokens_total', { provider: 'openai', model: 'other', kind: 'input' })).toBe(10)
    expect(valueOf(s, 'ai_gateway_requests_total', { provider: 'none', model: 'none', status: 'error', status_code: '400' })).toBe(1)
    // Tokens known but no price: counted as unpriced; unknown tokens are not.
    expect(valueOf(s, 'ai_gateway_unpriced_requests_total', { provider: 'openai' })).toBe(1)
    expect(valueOf(s, 'ai_gateway_cost_usd_total', { provider: 'openai', model: 'other' })).toBeUndefined()
  })

  test('requests in flight', async () => {
    const metrics = createGatewayMetrics(() => null)
    metrics.requestStarted()
    metrics.requestStarted()
    metrics.requestStarted()
    metrics.requestEnded()
    expect(valueOf(parseSamples(await metrics.registry.metrics()), 'ai_gateway_requests_in_flight')).toBe(2)
  })

  test('exporter counters and gauges follow its stats at every scrape', async () => {
    const stats: ExporterStats = { queued: 7, queuedBytes: 21_000, capacity: 10_000, exported: 120, dropped: 3, retried: 15, failed: 2 }
    const metrics = createGatewayMetrics(() => stats)
    let s = parseSamples(await metrics.registry.metrics())
    expect(valueOf(s, 'ai_gateway_telemetry_queue_depth')).toBe(7)
    expect(valueOf(s, 'ai_gateway_telemetry_queue_capacity')).toBe(10_000)
    expect(valueOf(s, 'ai_gateway_telemetry_queue_bytes')).toBe(21_000)
    expect(valueOf(s, 'ai_gateway_telemetry_exported_total')).toBe(120)
    expect(valueOf(s, 'ai_gateway_telemetry_dropped_total')).toBe(3)
    expect(valueOf(s, 'ai_gateway_telemetry_retried_total')).toBe(15)
    expect(valueOf(s, 'ai_gateway_telemetry_failed_total')).toBe(2)

    Object.assign(stats, { queued: 0, exported: 200, dropped: 5, retried: 15, failed: 4 })
    s = parseSamples(await metrics.registry.metrics())
    expect(valueOf(s, 'ai_gateway_telemetry_queue_depth')).toBe(0)
    expect(valueOf(s, 'ai_gateway_telemetry_exported_total')).toBe(200)
    expect(valueOf(s, 'ai_gateway_telemetry_dropped_total')).toBe(5)
    expect(valueOf(s, 'ai_gateway_telemetry_retried_total')).toBe(15)
    expect(valueOf(s, 'ai_gateway_telemetry_failed_total')).toBe(4)
  })

  test('without an exporter (Elasticsearch off) its series read 0', async () => {
    const s = parseSamples(await createGatewayMetrics(() => null).registry.metrics())
    for (const name of ['ai_gateway_telemetry_queue_depth', 'ai_gateway_telemetry_queue_capacity', 'ai_gateway_telemetry_exported_total', 'ai_gateway_telemetry_dropped_total']) {
      expect(valueOf(s, name)).toBe(0)
    }
  })

  test('each gateway gets its own registry', async () => {
    const a = createGatewayMetrics(() => null)
    const b = createGatewayMetrics(() => null)
    a.requestStarted()
    expect(valueOf(parseSamples(await b.registry.metrics()), 'ai_gateway_requests_in_flight')).toBe(0)
  })
})

describe('loading', () => {
  test("the metrics load prom-client's registry and metric classes, not its Pushgateway or cluster aggregation", () => {
    const metrics = JSON.stringify(join(import.meta.dir, '../../src/telemetry/metrics.ts'))
    const script = `
      const { createGatewayMetrics } = await import(${metrics})
      const text = await createGatewayMetrics(() => null).registry.metrics()
      if (!text.includes('ai_gateway_requests_in_flight')) throw new Error('no metrics written')
    `
    expect(modulesLoaded(script, '/prom-client/lib/registry.js')).toBe(1)
    expect(modulesLoaded(script, '/prom-client/lib/pushgateway.js')).toBe(0)
    expect(modulesLoaded(script, '/prom-client/lib/cluster.js')).toBe(0)
  })
})
