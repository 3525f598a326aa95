import { afterAll, afterEach, expect, test } from 'bun:test'
import { describeWithElasticsearch, exporterSettings, uniqueIndexName, waitFor } from '../../support/elasticsearch'
import { startGateway, waitForRecords, type RunningGateway } from '../../support/gateway'
import { startMockOpenAI } from '../../support/mock-openai'
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy'

describeWithElasticsearch('telemetry while Elasticsearch is away', (es) => {
  const mock = startMockOpenAI()
  const indexes: string[] = []
  let gateway: RunningGateway | undefined
  let proxy: TcpProxy | undefined

  afterEach(() => {
    gateway?.stop()
    proxy?.stop()
  })
  afterAll(async () => {
    mock.stop()
    for (const index of indexes) await es.client.indices.delete({ index: `${index}*` }).catch(() => {})
  })

  /** A gateway whose Elasticsearch sits behind a relay the test can cut. */
  const gatewayBehindRelay = (capacity: number, extra: Record<string, string> = {}) => {
    const index = uniqueIndexName('ai-gw-outage')
    indexes.push(index)
    proxy = startTcpProxy(es.host, es.port)
    gateway = startGateway(
      {
        OPENAI_BASE_URL: mock.url,
        ...exporterSettings(es, index, proxy.url),
        ELASTICSEARCH_BATCH_SIZE: '50',
        ELASTICSEARCH_FLUSH_INTERVAL_MS: '50',
        ELASTICSEARCH_REQUEST_TIMEOUT_MS: '2000',
        TELEMETRY_BUFFER_CAPACITY: String(capacity),
        ...extra,
      },
      { captureLogs: true },
    )
    return { index, gateway, proxy }
  }

  const sendRequests = async (gateway: RunningGateway, count: number, concurrency = 20) => {
    const statuses: number[] = []
    for (let sent = 0; sent < count; sent += concurrency) {
      const wave = Array.from({ length: Math.min(concurrency, count - sent) }, () =>
        fetch(`${gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
          body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: sent % 40 === 0 }),
        }).then(async (response) => (await response.text(), response.status)),
      )
      statuses.push(...(await Promise.all(wave)))
    }
    return statuses
  }

  const countIn = async (index: string, expected: number) =>
    waitFor(
      async () => {
        await es.client.indices.refresh({ index }).catch(() => {})
        return (await es.client.count({ index }).catch(() => ({ count: -1 }))).count
      },
      (n) => n >= expected,
      20_000,
    )

  test('requests are unaffected while it is unreachable, and every buffered record arrives once it is back', async () => {
    const { index, gateway, proxy } = gatewayBehindRelay(1000)
    await gateway.telemetry.setUp()
    proxy.cut()
    const statuses = await sendRequests(gateway, 300)
    expect(statuses.every((status) => status === 200)).toBe(true)
    await waitForRecords(gateway, 300)
    expect(gateway.telemetry.exporterStats()).toMatchObject({ queued: 300, exported: 0, dropped: 0 })
    await Bun.sleep(500) // a few failed attempts while the node is unreachable
    proxy.restore()
    expect(await countIn(index, 300)).toBe(300)
    const stats = await waitFor(async () => gateway.telemetry.exporterStats()!, (s) => s.queued === 0)
    expect(stats).toMatchObject({ queued: 0, exported: 300, dropped: 0, failed: 0 })
    expect(stats.retried).toBeGreaterThan(0)
  }, 60_000)

  test('beyond the buffer capacity exactly the dropped records are missing, and /metrics says how many', async () => {
    const { index, gateway, proxy } = gatewayBehindRelay(100)
    await gateway.telemetry.setUp()
    proxy.cut()
    await sendRequests(gateway, 160)
    await waitForRecords(gateway, 160)
    expect(gateway.telemetry.exporterStats()).toMatchObject({ queued: 100, dropped: 60 })
    proxy.restore()
    expect(await countIn(index, 100)).toBe(100)
    await Bun.sleep(300)
    expect((await es.client.count({ index })).count).toBe(100)
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text()
    expect(metrics).toContain('ai_gateway_telemetry_dropped_total 60')
    expect(metrics).toContain('ai_gateway_telemetry_exported_total 100')
    expect(gateway.logs.some((line) => line.includes('telemetry records dropped'))).toBe(true)
  }, 60_000)

  test('down at start: nothing is written before the index template exists, then everything arrives with its mapping', async () => {
    const { index, gateway, proxy } = gatewayBehindRelay(1000)
    proxy.cut()
    expect(await gateway.telemetry.setUp()).toBe(false)
    await sendRequests(gateway, 40)
    await waitForRecords(gateway, 40)
    expect(gateway.telemetry.exporterStats()).toMatchObject({ queued: 40, exported: 0 })
    proxy.restore()
    // The set-up is retried with backoff (1 s first), then the held records go out.
    expect(await countIn(index, 40)).toBe(40)
    const mapping = Object.values(await es.client.indices.getMapping({ index }))[0]!.mappings.properties as any
    expect(mapping.attributes.properties.metadata.properties.latency.type).toBe('long')
    expect(mapping.attributes.properties.request).toEqual({ type: 'object', enabled: false })
  }, 60_000)

  test('a wrong password is reported clearly at start and records are kept, not dropped', async () => {
    const { gateway } = gatewayBehindRelay(1000, { ELASTICSEARCH_PASSWORD: 'definitely-wrong-password' })
    await gateway.telemetry.setUp()
    await sendRequests(gateway, 30)
    await waitForRecords(gateway, 30)
    await Bun.sleep(300)
    expect(gateway.telemetry.exporterStats()).toMatchObject({ queued: 30, exported: 0, dropped: 0, failed: 0 })
    const logs = gateway.logs.join('\n')
    expect(logs).toContain('ELASTICSEARCH_USERNAME')
    expect(logs).not.toContain('definitely-wrong-password')
  }, 30_000)
})

