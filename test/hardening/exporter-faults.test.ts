import { afterAll, beforeEach, describe, expect, test } from 'bun:test'
import { waitFor } from '../support/elasticsearch'
import { startFakeElasticsearch } from '../support/fake-elasticsearch'
import { startGateway, waitForRecords } from '../support/gateway'
import { startMockOpenAI } from '../support/mock-openai'

const mock = startMockOpenAI()
const es = startFakeElasticsearch()
const gateway = startGateway({
  OPENAI_BASE_URL: mock.url,
  ENABLE_ELASTICSEARCH: 'true',
  ELASTICSEARCH_URL: es.url,
  ELASTICSEARCH_SETUP: 'false',
  ELASTICSEARCH_BATCH_SIZE: '10',
  ELASTICSEARCH_FLUSH_INTERVAL_MS: '50',
})
afterAll(() => {
  gateway.stop()
  mock.stop()
  es.stop()
})
beforeEach(() => {
  gateway.records.length = 0
  es.script.length = 0
})

async function sendRequests(count: number, stream = false) {
  const statuses = await Promise.all(
    Array.from({ length: count }, async () => {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream }),
      })
      await response.text()
      return response.status
    }),
  )
  expect(statuses.every((s) => s === 200)).toBe(true)
  return (await waitForRecords(gateway, count)).map((r) => r.attributes.id)
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text()
  const line = text.split('\n').find((l) => l.startsWith(`${name} `))
  return line === undefined ? NaN : Number(line.split(' ')[1])
}

const delivered = (ids: string[]) => waitFor(async () => ids.filter((id) => es.documents.has(id)).length, (n) => n === ids.length, 20_000)

describe('the exporter under Elasticsearch faults', () => {
  test('a slow Elasticsearch does not hold up requests; the records arrive when it answers', async () => {
    es.script.push({ kind: 'slow', ms: 1500 }, { kind: 'slow', ms: 1500 })
    const bulksBefore = es.bulkRequests.length
    const ids = await sendRequests(25, true)
    // Every request finished while Elasticsearch had not yet answered a single bulk request.
    expect(es.bulkRequests.length).toBe(bulksBefore)
    expect(await delivered(ids)).toBe(25)
  }, 30_000)

  test('429 and 503 on _bulk: records are kept, retried and all delivered once it recovers', async () => {
    const retriedBefore = await metric('ai_gateway_telemetry_retried_total')
    es.script.push({ kind: 'status', status: 429, retryAfterSeconds: 0 }, { kind: 'status', status: 503 }, { kind: 'status', status: 503 })
    const ids = await sendRequests(30)
    expect(await delivered(ids)).toBe(30)
    expect(es.bulkRequests.filter((b) => b.status === 429 || b.status === 503).length).toBeGreaterThanOrEqual(3)
    expect(await metric('ai_gateway_telemetry_retried_total')).toBeGreaterThan(retriedBefore)
    expect(await metric('ai_gateway_telemetry_queue_depth')).toBe(0)
  }, 30_000)

  test('per-item rejections: refused items are counted as failed, 429 items retried, the rest delivered', async () => {
    const failedBefore = await metric('ai_gateway_telemetry_failed_total')
    const exportedBefore = await metric('ai_gateway_telemetry_exported_total')
    // The first bulk refuses its first two items for good (400) and throttles the next two (429).
    es.script.push({ kind: 'items', reject: (_id, position) => (position < 2 ? 400 : position < 4 ? 429 : null) })
    const rejectedBefore = es.rejected.length
    const ids = await sendRequests(10)
    const rejected = () => es.rejected.slice(rejectedBefore)
    await waitFor(async () => rejected().length, (n) => n >= 4)
    const refused = new Set(rejected().filter((r) => r.status === 400).map((r) => r.id))
    expect(refused.size).toBe(2)
    expect(rejected().filter((r) => r.status === 429)).toHaveLength(2)
    const accepted = ids.filter((id) => !refused.has(id))
    expect(await delivered(accepted)).toBe(8)
    for (const id of refused) expect(es.documents.has(id)).toBe(false)
    expect(await waitFor(() => metric('ai_gateway_telemetry_failed_total'), (n) => n === failedBefore + 2)).toBe(failedBefore + 2)
    expect(await metric('ai_gateway_telemetry_exported_total')).toBe(exportedBefore + 8)
  }, 30_000)
})
