import { afterAll, expect, test } from 'bun:test'
import { describeWithElasticsearch, exporterSettings, uniqueIndexName } from '../support/elasticsearch'
import { startGatewayProcess } from '../support/gateway-process'
import { startMockOpenAI } from '../support/mock-openai'

describeWithElasticsearch('SIGTERM under load with Elasticsearch', (es) => {
  const mock = startMockOpenAI()
  const index = uniqueIndexName('ai-gateway-hardening-shutdown')
  afterAll(async () => {
    mock.stop()
    await es.client.indices.delete({ index: `${index}*` }).catch(() => {})
  })

  test('in-flight requests and streams complete, and every record reaches the index', async () => {
    const gateway = await startGatewayProcess({
      OPENAI_BASE_URL: mock.url,
      ...exporterSettings(es, index),
      // Nothing is sent before the signal: every record is still buffered when SIGTERM comes.
      ELASTICSEARCH_BATCH_SIZE: '100000',
      ELASTICSEARCH_FLUSH_INTERVAL_MS: '600000',
      SHUTDOWN_TIMEOUT_MS: '20000',
    })
    const count = 200
    // Streams of 10 chunks 40 ms apart: they are mid-way when the signal arrives.
    mock.scenario.chunks = 10
    mock.scenario.chunkDelayMs = 40
    const send = (i: number) =>
      fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `request ${i}` }], stream: i % 4 !== 0 }),
      }).then(async (response) => ({ status: response.status, text: await response.text(), stream: i % 4 !== 0 }))
    const answers = Promise.all(Array.from({ length: count }, (_, i) => send(i)))
    // Every request has reached the upstream: all of them are in flight now.
    const deadline = performance.now() + 10_000
    while (mock.requests.length < count && performance.now() < deadline) await Bun.sleep(10)
    expect(mock.requests.length).toBe(count)
    gateway.process.kill('SIGTERM')

    const results = await answers
    expect(results.filter((r) => r.status === 200)).toHaveLength(count)
    const streams = results.filter((r) => r.stream)
    expect(streams.filter((r) => r.text.endsWith('data: [DONE]\n\n'))).toHaveLength(streams.length)
    expect(await gateway.exited).toBe(0)

    await es.client.indices.refresh({ index })
    const { count: indexed } = await es.client.count({ index })
    const lost = count - indexed
    console.log(`shutdown: ${count} requests in flight at SIGTERM, ${indexed} records indexed, ${lost} lost`)
    expect(indexed).toBe(count)
    const flushed = gateway.logLines.map((line) => JSON.parse(line)).find((line) => line.msg === 'telemetry flushed')
    expect(flushed).toMatchObject({ exported: count, dropped: 0, failed: 0 })
  }, 60_000)
})
