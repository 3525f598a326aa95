import { afterAll, afterEach, expect, test } from 'bun:test'
import { describeWithElasticsearch, exporterSettings, uniqueIndexName, waitFor } from '../../support/elasticsearch'
import { startGateway, waitForRecords, type RunningGateway } from '../../support/gateway'
import { startMockOpenAI } from '../../support/mock-openai'

describeWithElasticsearch('telemetry batches in a real Elasticsearch', (es) => {
  const mock = startMockOpenAI()
  const indexes: string[] = []
  let gateway: RunningGateway | undefined
  afterEach(() => gateway?.stop())
  afterAll(async () => {
    mock.stop()
    for (const index of indexes) await es.client.indices.delete({ index: `${index}*` }).catch(() => {})
  })

  const start = (batchSize: number, flushIntervalMs: number, index = uniqueIndexName('ai-gw-batch')) => {
    indexes.push(index)
    gateway = startGateway({
      OPENAI_BASE_URL: mock.url,
      ...exporterSettings(es, index),
      ELASTICSEARCH_BATCH_SIZE: String(batchSize),
      ELASTICSEARCH_FLUSH_INTERVAL_MS: String(flushIntervalMs),
    })
    return { gateway, index }
  }
  const send = (gateway: RunningGateway, count: number) =>
    Promise.all(
      Array.from({ length: count }, () =>
        fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"gpt-4o-mini","messages":[]}' }).then((r) => r.text()),
      ),
    )
  const count = async (index: string) => {
    await es.client.indices.refresh({ index }).catch(() => {})
    return (await es.client.count({ index }).catch(() => ({ count: 0 }))).count
  }

  test('full batches are sent at once; the rest waits for its age', async () => {
    const { gateway, index } = start(10, 60_000)
    await gateway.telemetry.setUp()
    await send(gateway, 25)
    await waitForRecords(gateway, 25)
    expect(await waitFor(() => count(index), (n) => n >= 20)).toBe(20)
    expect(gateway.telemetry.exporterStats()).toMatchObject({ queued: 5, exported: 20 })
    // The remaining five go out on shutdown, within its deadline.
    await gateway.telemetry.shutdown(5000)
    expect(await count(index)).toBe(25)
  }, 30_000)

  test('a batch smaller than the batch size leaves once its oldest record is old enough', async () => {
    const { gateway, index } = start(1000, 300, uniqueIndexName('ai-gw-daily') + '-{yyyy.MM.dd}')
    await gateway.telemetry.setUp()
    await send(gateway, 5)
    await waitForRecords(gateway, 5)
    const dailyIndex = index.replace('{yyyy.MM.dd}', new Date().toISOString().slice(0, 10).replaceAll('-', '.'))
    expect(await waitFor(() => count(dailyIndex), (n) => n >= 5)).toBe(5)
    expect(gateway.telemetry.exporterStats()).toMatchObject({ queued: 0, exported: 5 })
  }, 30_000)
})
