import { afterAll, beforeAll, expect, test } from 'bun:test'
import OpenAI from 'openai'
import { describeWithElasticsearch, exporterSettings, uniqueIndexName, waitFor } from '../../support/elasticsearch'
import { startGateway, type RunningGateway } from '../../support/gateway'
import { chunkTexts, MOCK_MODEL, startMockOpenAI } from '../../support/mock-openai'

describeWithElasticsearch('telemetry documents in a real Elasticsearch', (es) => {
  const mock = startMockOpenAI()
  const index = uniqueIndexName('ai-gw-docs')
  let gateway: RunningGateway
  const ids: Record<string, string> = {}

  beforeAll(async () => {
    gateway = startGateway(
      {
        OPENAI_BASE_URL: mock.url,
        ...exporterSettings(es, index),
        ELASTICSEARCH_FLUSH_INTERVAL_MS: '100',
        DEPLOYMENT_ENVIRONMENT: 'test',
      },
      { captureLogs: true },
    )
    await gateway.telemetry.setUp()

    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'sk-test-secret-key-0123456789abcdef', maxRetries: 0 })
    const messages = [{ role: 'user' as const, content: 'Say hello' }]
    const json = await client.chat.completions.create({ model: 'gpt-4o-mini', messages }, { headers: { 'x-thread-id': 'thread-1', 'x-org-id': 'org-1', 'x-user-id': 'user-1', 'x-project-id': 'project-1', 'x-project-name': 'Project One' } }).withResponse()
    ids.json = json.response.headers.get('x-request-id')!
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true }).withResponse()
    for await (const _ of stream.data);
    ids.stream = stream.response.headers.get('x-request-id')!
    mock.scenario.error = { status: 429, message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' }
    const failed = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' }, body: JSON.stringify({ model: 'gpt-4o-mini', messages }) })
    ids.failed = failed.headers.get('x-request-id')!
    mock.scenario.error = undefined
    const refused = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'x-provider': 'nope', 'content-type': 'application/json' }, body: '{}' })
    ids.refused = refused.headers.get('x-request-id')!
  })
  afterAll(async () => {
    gateway.stop()
    mock.stop()
    await es.client.indices.delete({ index: `${index}*` }).catch(() => {})
  })

  const fetchDocuments = async () => {
    const count = await waitFor(
      async () => {
        await es.client.indices.refresh({ index }).catch(() => {})
        return (await es.client.count({ index }).catch(() => ({ count: 0 }))).count
      },
      (n) => n >= 4,
    )
    expect(count).toBe(4)
    const result = await es.client.search<any>({ index, size: 10 })
    return new Map(result.hits.hits.map((hit) => [hit._id, hit._source]))
  }

  test('a JSON request becomes one document with every field filled', async () => {
    const docs = await fetchDocuments()
    const doc = docs.get(ids.json)
    expect(doc).toMatchObject({
      resource: { 'service.name': 'ai-gateway', 'deployment.environment': 'test' },
      name: 'ai_gateway_request_log',
      attributes: {
        id: ids.json,
        thread_id: 'thread-1',
        org_id: 'org-1',
        user_id: 'user-1',
        project_id: 'project-1',
        provider: 'openai',
        model: MOCK_MODEL,
        request: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] },
        response: { object: 'chat.completion', model: MOCK_MODEL },
        metadata: {
          project_id: 'project-1',
          project_name: 'Project One',
          tokens: { input: 9, output: 12, total: 21, cached_input: 0, reasoning: 0 },
          status: 'success',
          path: '/v1/chat/completions',
          method: 'POST',
          status_code: 200,
          provider_status_code: 200,
          error_count: 0,
          error_type: null,
          provider_error_count: 0,
          provider_error_type: null,
          stream: false,
          finish_reason: 'stop',
          ttft_ms: null,
        },
      },
    })
    expect(Date.parse(doc.timestamp)).toBeGreaterThan(Date.now() - 60_000)
    // gpt-4o-mini: 9 input tokens at $0.15/M and 12 output tokens at $0.60/M.
    expect(doc.attributes.metadata.cost).toBeCloseTo((9 * 0.15 + 12 * 0.6) / 1e6, 12)
    expect(doc.attributes.metadata.request_size).toBeGreaterThan(0)
    expect(doc.attributes.metadata.response_size).toBeGreaterThan(0)
    expect(doc.attributes.metadata.latency).toBeGreaterThanOrEqual(0)
    expect(doc.attributes.metadata.provider_latency).toBeGreaterThanOrEqual(0)
    expect(doc.attributes.metadata.gateway_overhead_ms).toBeGreaterThanOrEqual(0)
  })

  test('a streamed request records the assembled message and the usage the gateway asked for', async () => {
    const doc = (await fetchDocuments()).get(ids.stream)
    expect(doc.attributes.metadata).toMatchObject({ stream: true, status: 'success', finish_reason: 'stop', tokens: { input: 9, output: 12, total: 21 } })
    expect(doc.attributes.metadata.ttft_ms).toBeGreaterThanOrEqual(0)
    expect(doc.attributes.response.choices[0]).toEqual({ index: 0, message: { role: 'assistant', content: chunkTexts(5).join('') }, finish_reason: 'stop' })
    // The client did not ask for usage; the gateway did, and the request record shows what the client sent.
    expect(doc.attributes.request.stream_options).toBeUndefined()
  })

  test('an upstream error and a refused request are recorded as errors with their codes', async () => {
    const docs = await fetchDocuments()
    expect(docs.get(ids.failed).attributes.metadata).toMatchObject({
      status: 'error',
      status_code: 429,
      provider_status_code: 429,
      error_count: 1,
      error_type: 'provider_error',
      provider_error_count: 1,
      provider_error_type: 'requests',
      cost: null,
    })
    expect(docs.get(ids.refused).attributes).toMatchObject({
      provider: null,
      metadata: { status: 'error', status_code: 400, provider_status_code: null, provider_latency: null, error_type: 'unknown_provider', provider_error_count: 0 },
    })
  })

  test('no secret reaches a document or a log line', async () => {
    const docs = await fetchDocuments()
    const text = JSON.stringify([...docs.values()]) + gateway.logs.join('\n')
    expect(text).not.toContain('sk-test')
    expect(text).not.toContain(es.password ?? 'never-set-password')
  })

  test('the mapping has the types the index template declares', async () => {
    const mapping = await es.client.indices.getMapping({ index })
    const properties = Object.values(mapping)[0]!.mappings.properties as any
    const metadata = properties.attributes.properties.metadata.properties
    expect(properties.timestamp.type).toBe('date')
    expect(properties.attributes.properties.provider.type).toBe('keyword')
    expect(properties.attributes.properties.model.type).toBe('keyword')
    expect(properties.attributes.properties.request).toEqual({ type: 'object', enabled: false })
    expect(metadata.latency.type).toBe('long')
    expect(metadata.cost.type).toBe('float')
    expect(metadata.tokens.properties.input.type).toBe('long')
    expect(metadata.status.type).toBe('keyword')
    expect(metadata.stream.type).toBe('boolean')
    expect(metadata.warnings.type).toBe('keyword')
  })
})
